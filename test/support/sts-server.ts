// A local stand-in for AWS STS AssumeRole (the AWS query protocol: form-encoded POST, XML answers), so sops
// entry roles can be tested with the real @aws-sdk/client-sts: who signed each call, and role trust policies.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StsRequestRecord {
  action: string;
  roleArn: string;
  sessionName: string;
  /** The access key id the request was signed with (SigV4 `Credential=`): who asked. */
  accessKeyId: string;
}

export interface StsServer {
  /** `http://127.0.0.1:<port>`, for `new STSClient({ endpoint })` or AWS_ENDPOINT_URL_STS. */
  endpoint: string;
  requests: StsRequestRecord[];
  /**
   * The role's trust policy: only callers signing with these access key ids may assume it (any caller when
   * the role was never trusted to anyone). A session's access key id is `ASIA` + the role's name, uppercased.
   */
  trust(roleArn: string, accessKeyIds: readonly string[]): void;
  /** The secret access keys handed out so far, for asserting they appear nowhere. */
  issuedSecrets: string[];
  close(): Promise<void>;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function startStsServer(): Promise<StsServer> {
  const requests: StsRequestRecord[] = [];
  const trusted = new Map<string, readonly string[]>();
  const issuedSecrets: string[] = [];
  const server = createServer((req, res) => {
    handle(req, res, requests, trusted, issuedSecrets).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'Receiver', 'InternalFailure', 'internal failure');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    issuedSecrets,
    trust: (role, ids) => void trusted.set(role, ids),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  requests: StsRequestRecord[],
  trusted: Map<string, readonly string[]>,
  issuedSecrets: string[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const record = {
    action: form.get('Action') ?? '',
    roleArn: form.get('RoleArn') ?? '',
    sessionName: form.get('RoleSessionName') ?? '',
    accessKeyId,
  };
  requests.push(record);
  if (record.action !== 'AssumeRole')
    return sendError(res, 400, 'Sender', 'InvalidAction', `Could not find operation ${record.action}`);
  const allowed = trusted.get(record.roleArn);
  if (allowed && !allowed.includes(accessKeyId)) {
    // Real STS's wording names the caller's ARN and the role, never a credential.
    return sendError(
      res,
      403,
      'Sender',
      'AccessDenied',
      `User: arn:aws:iam::000000000000:user/caller is not authorized to perform: sts:AssumeRole on resource: ${record.roleArn}`,
    );
  }
  const roleName = record.roleArn.split('/').pop() ?? 'role';
  const secret = randomBytes(30).toString('base64');
  issuedSecrets.push(secret);
  const body = `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${xmlEscape(
    roleName.toUpperCase(),
  )}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${randomBytes(24).toString(
    'base64',
  )}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::000000000000:assumed-role/${xmlEscape(
    roleName,
  )}/${xmlEscape(record.sessionName)}</Arn><AssumedRoleId>AROA:${xmlEscape(
    record.sessionName,
  )}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
  send(res, 200, body);
}

function sendError(res: ServerResponse, status: number, type: string, code: string, message: string): void {
  send(
    res,
    status,
    `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(
      message,
    )}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
