// Port: temporary AWS credentials for an IAM role (sts:AssumeRole), used when a sops kms entry names a
// `role` to decrypt as. Cloud: STS; tests: a local stand-in.

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RoleAssumer {
  /** Credentials of `roleArn`, obtained through the STS endpoint of `region` (the KMS key's region). */
  assume(roleArn: string, region: string): Promise<AwsCredentials>;
}
