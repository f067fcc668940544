// Kubernetes' protobuf request bodies (`application/vnd.kubernetes.protobuf`) for the kinds Go clients
// send that way to the stand-in: helm's storage driver writes Secrets with client-go's typed client.
// Turned into the JSON the rest of the server reads; any other kind is refused with 415.

import { ApiError } from './status.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Field = { no: number; wire: number; value: bigint | Buffer };

function varint(buf: Buffer, at: number): [bigint, number] {
  let out = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i] as number;
    out |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [out, i + 1];
    shift += 7n;
  }
  throw new ApiError(400, 'protobuf: truncated varint', 'BadRequest');
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    at = next;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, n] = varint(buf, at);
      out.push({ no, wire, value: v });
      at = n;
    } else if (wire === 2) {
      const [len, n] = varint(buf, at);
      const end = n + Number(len);
      out.push({ no, wire, value: buf.subarray(n, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ no, wire, value: buf.subarray(at, at + size) });
      at += size;
    } else throw new ApiError(400, `protobuf: unsupported wire type ${wire}`, 'BadRequest');
  }
  return out;
}

const text = (f: Field) => (f.value as Buffer).toString('utf8');
const bytes = (f: Field) => f.value as Buffer;

function mapEntry(buf: Buffer): [string, Buffer] {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  for (const f of fields(buf)) {
    if (f.no === 1) key = text(f);
    if (f.no === 2) value = bytes(f);
  }
  return [key, value];
}

function time(buf: Buffer): string {
  const seconds = fields(buf).find((f) => f.no === 1)?.value as bigint | undefined;
  return new Date(Number(seconds ?? 0n) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        meta.name = text(f);
        break;
      case 2:
        meta.generateName = text(f);
        break;
      case 3:
        meta.namespace = text(f);
        break;
      case 5:
        meta.uid = text(f);
        break;
      case 6:
        meta.resourceVersion = text(f);
        break;
      case 8:
        meta.creationTimestamp = time(bytes(f));
        break;
      case 11: {
        const [k, v] = mapEntry(bytes(f));
        labels[k] = v.toString('utf8');
        break;
      }
      case 12: {
        const [k, v] = mapEntry(bytes(f));
        annotations[k] = v.toString('utf8');
        break;
      }
      case 14:
        finalizers.push(text(f));
        break;
    }
  }
  // Go's generated marshallers write every string, empty ones too: an empty string is an unset field.
  for (const [k, v] of Object.entries(meta)) if (v === '') delete meta[k];
  if (Object.keys(labels).length) meta.labels = labels;
  if (Object.keys(annotations).length) meta.annotations = annotations;
  if (finalizers.length) meta.finalizers = finalizers;
  return meta;
}

function secret(buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Secret' };
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  for (const f of fields(buf)) {
    if (f.no === 1) out.metadata = objectMeta(bytes(f));
    if (f.no === 2) {
      const [k, v] = mapEntry(bytes(f));
      data[k] = v.toString('base64');
    }
    if (f.no === 3 && text(f) !== '') out.type = text(f);
    if (f.no === 4) {
      const [k, v] = mapEntry(bytes(f));
      stringData[k] = v.toString('utf8');
    }
    if (f.no === 5) out.immutable = f.value !== 0n;
  }
  if (Object.keys(data).length) out.data = data;
  if (Object.keys(stringData).length) out.stringData = stringData;
  return out;
}

/** DeleteOptions: the propagation policy is all the stand-in reads. */
function deleteOptions(buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
  for (const f of fields(buf)) {
    if (f.no === 2) out.gracePeriodSeconds = Number(f.value as bigint);
    if (f.no === 4) out.orphanDependents = f.value !== 0n;
    if (f.no === 5 && text(f) !== '') out.propagationPolicy = text(f);
  }
  return out;
}

const DECODERS: Record<string, (buf: Buffer) => Record<string, unknown>> = {
  'v1/Secret': secret,
  'v1/DeleteOptions': deleteOptions,
  'meta.k8s.io/v1/DeleteOptions': deleteOptions,
};

/** The JSON text of a protobuf-encoded body; 415 for a kind the stand-in does not decode. */
export function protobufToJson(body: Buffer): string {
  if (body.length === 0) return '';
  if (!body.subarray(0, 4).equals(MAGIC))
    throw new ApiError(400, 'protobuf: missing the k8s envelope', 'BadRequest');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1)
      for (const t of fields(bytes(f))) {
        if (t.no === 1) apiVersion = text(t);
        if (t.no === 2) kind = text(t);
      }
    if (f.no === 2) raw = bytes(f);
  }
  const decode = DECODERS[`${apiVersion}/${kind}`];
  if (!decode)
    throw new ApiError(
      415,
      `the stand-in decodes protobuf only for ${Object.keys(DECODERS).join(', ')}, not ${apiVersion}/${kind}`,
      'UnsupportedMediaType',
    );
  return JSON.stringify(decode(raw));
}
