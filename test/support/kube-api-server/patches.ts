// Non-apply PATCH formats: JSON merge patch (RFC 7386; strategic merge patch is treated the same way) and
// JSON patch (RFC 6902: add, remove, replace, move, copy, test).

import { clone, deepEqual, isMap, type JsonMap, mergeInto } from './json.ts';
import { ApiError, badRequest } from './status.ts';

export function mergePatch(target: JsonMap, patch: unknown): JsonMap {
  if (!isMap(patch)) throw badRequest('the merge patch must be a JSON object');
  return mergeInto(clone(target), patch);
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw badRequest(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  }
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, message, 'Invalid');
}

type Container = JsonMap | unknown[];

/** Parent container of the pointer's last token, plus that token. */
function locate(doc: JsonMap, path: string[], op: string): [Container, string] {
  let node: unknown = doc;
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isMap(node)) node = node[token];
    else node = undefined;
    if (node === undefined)
      throw unprocessable(`${op} operation does not apply: doc is missing path: /${path.join('/')}`);
  }
  if (!Array.isArray(node) && !isMap(node)) {
    throw unprocessable(`${op} operation does not apply: doc is missing path: /${path.join('/')}`);
  }
  return [node, path[path.length - 1] ?? ''];
}

function arrayIndex(list: unknown[], token: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return list.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw unprocessable(`invalid array index: ${token}`);
  const index = Number(token);
  if (index > list.length || (!allowEnd && index === list.length)) {
    throw unprocessable(`array index out of bounds: ${token}`);
  }
  return index;
}

function read(doc: JsonMap, path: string[], op: string): unknown {
  if (path.length === 0) return doc;
  const [parent, token] = locate(doc, path, op);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, token, false)] : parent[token];
  if (value === undefined)
    throw unprocessable(`${op} operation does not apply: doc is missing key: /${path.join('/')}`);
  return value;
}

function remove(doc: JsonMap, path: string[], op: string): unknown {
  const value = read(doc, path, op);
  const [parent, token] = locate(doc, path, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, false), 1);
  else delete parent[token];
  return value;
}

function add(doc: JsonMap, path: string[], value: unknown, replace: boolean): void {
  if (path.length === 0) throw badRequest('replacing the whole document is not supported');
  const [parent, token] = locate(doc, path, replace ? 'replace' : 'add');
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, token, !replace);
    parent.splice(index, replace ? 1 : 0, clone(value));
  } else {
    parent[token] = clone(value);
  }
}

export function jsonPatch(target: JsonMap, patch: unknown): JsonMap {
  if (!Array.isArray(patch)) throw badRequest('json patch must be a JSON array of operations');
  const doc = clone(target);
  for (const operation of patch) {
    if (!isMap(operation)) throw badRequest('json patch operations must be objects');
    const op = String(operation.op);
    const path = parsePointer(operation.path);
    switch (op) {
      case 'add':
        add(doc, path, operation.value, false);
        break;
      case 'replace':
        read(doc, path, 'replace');
        add(doc, path, operation.value, true);
        break;
      case 'remove':
        remove(doc, path, 'remove');
        break;
      case 'move':
        add(doc, path, remove(doc, parsePointer(operation.from), 'move'), false);
        break;
      case 'copy':
        add(doc, path, read(doc, parsePointer(operation.from), 'copy'), false);
        break;
      case 'test':
        if (!deepEqual(read(doc, path, 'test'), operation.value)) {
          throw unprocessable(`testing value /${path.join('/')} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
