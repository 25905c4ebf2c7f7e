import { REQUEST_ID } from '../plugins/use-request-id.js';

/**
 * API Gateway's HTTP API (payload format 2.0) as fetch: its event as the Request the app serves,
 * the app's Response as the result API Gateway sends on.
 */

/** The fields of API Gateway's HTTP API event (payload 2.0) that the handler reads. */
export interface APIGatewayProxyEventV2 {
  version?: string;
  routeKey?: string;
  rawPath: string;
  rawQueryString?: string;
  /** Lower-cased names; repeated headers joined with commas. */
  headers?: Record<string, string | undefined>;
  /** The Cookie header, split: API Gateway moves it out of `headers`. */
  cookies?: string[];
  requestContext: {
    requestId: string;
    domainName?: string;
    stage?: string;
    http: { method: string; path?: string; protocol?: string; sourceIp?: string };
  };
  body?: string;
  isBase64Encoded?: boolean;
}

/** What API Gateway's HTTP API accepts back from a 2.0 integration. */
export interface APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  headers?: Record<string, string>;
  /** One entry per Set-Cookie header (they cannot be joined with commas). */
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  awsRequestId: string;
}

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const NO_BODY = new Set(['GET', 'HEAD']);

/**
 * API Gateway's request id as the app's request id: it is base64 (`JKJaXmPLvHcESHA=`), so it is
 * written base64url without padding to pass the app's pattern, still recognisable in API
 * Gateway's access logs. Lambda's own id when even that does not fit.
 */
export function requestIdOf(event: APIGatewayProxyEventV2, context: LambdaContext): string {
  const id = (event.requestContext.requestId ?? '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return REQUEST_ID.test(id) ? id : context.awsRequestId;
}

/** The event as the fetch Request the app serves. */
export function toRequest(event: APIGatewayProxyEventV2, context: LambdaContext): Request {
  const method = event.requestContext.http.method.toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  if (!headers.get('x-request-id')) headers.set('x-request-id', requestIdOf(event, context));

  let body: Buffer | undefined;
  if (!NO_BODY.has(method)) {
    body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    // API Gateway has the whole body: its real length is what the body limit must check.
    headers.set('content-length', String(body.length));
    headers.delete('transfer-encoding');
  }

  const proto = headers.get('x-forwarded-proto') === 'http' ? 'http' : 'https';
  const givenHost = headers.get('host') ?? event.requestContext.domainName ?? '';
  const host = HOST.test(givenHost) ? givenHost : 'localhost';
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return new Request(`${proto}://${host}${pathOf(event)}${query}`, {
    method,
    headers,
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
}

/** rawPath without the stage prefix that a named stage (not `$default`) puts in front of it. */
function pathOf(event: APIGatewayProxyEventV2): string {
  let path = event.rawPath.startsWith('/') ? event.rawPath : `/${event.rawPath}`;
  const stage = event.requestContext.stage;
  if (stage && stage !== '$default') {
    const prefix = `/${stage}`;
    if (path === prefix) path = '/';
    else if (path.startsWith(`${prefix}/`)) path = path.slice(prefix.length);
  }
  return path;
}

// Hop-by-hop headers describe a connection the function does not have.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const TEXT_TYPE =
  /^(?:text\/|application\/(?:json|graphql-response\+json|javascript|xml|x-www-form-urlencoded)\b|application\/[\w.-]+\+(?:json|xml)\b)/i;

/** The app's Response as the result API Gateway sends on. */
export async function toResult(
  response: Response,
  method = 'GET',
): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    const key = name.toLowerCase();
    if (key !== 'set-cookie' && !HOP_BY_HOP.has(key)) headers[key] = value;
  });
  const cookies = setCookies(response.headers);
  const bytes =
    method.toUpperCase() === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer());
  const encoding = headers['content-encoding'];
  const text =
    bytes.length === 0 ||
    (TEXT_TYPE.test(headers['content-type'] ?? '') &&
      (!encoding || encoding === 'identity' || encoding === 'none'));
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: bytes.toString(text ? 'utf8' : 'base64'),
    isBase64Encoded: !text,
  };
}

function setCookies(headers: Headers): string[] {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const single = headers.get('set-cookie');
  return single ? [single] : [];
}

export function errorResult(
  statusCode: number,
  message: string,
  code: string,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    isBase64Encoded: false,
  };
}
