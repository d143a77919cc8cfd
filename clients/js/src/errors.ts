/**
 * Every failed call of the client rejects with an ApiError: the HTTP status (0 when the service
 * could not be reached), and what the JSend body said. A JSend "fail" carries either
 * {"message","code"} or validation failures keyed by field; a JSend "error" carries a message and
 * the HTTP status as its code.
 */
export class ApiError extends Error {
  /** The HTTP status, or 0 when no answer arrived. */
  readonly status: number;
  /** The machine-readable reason of a JSend fail (`identifier_taken`, `wrong_password`...), or null. */
  readonly code: string | null;
  /** Validation failures by field name ({"password": "..."}), or null. */
  readonly fields: Readonly<Record<string, string>> | null;
  /** Seconds to wait, from `Retry-After` (429, 503), or null. */
  readonly retryAfter: number | null;
  /** True when no answer arrived (offline, connection refused, CORS). */
  readonly networkError: boolean;

  constructor(init: {
    status: number;
    message: string;
    code?: string | null;
    fields?: Record<string, string> | null;
    retryAfter?: number | null;
    networkError?: boolean;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code ?? null;
    this.fields = init.fields ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.networkError = init.networkError ?? false;
  }

  /** Builds the error from a non-success answer and its parsed body (JSend or anything else). */
  static fromResponse(response: Response, body: unknown): ApiError {
    const status = response.status;
    const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
    if (isObject(body) && body['status'] === 'fail') {
      const data = isObject(body['data']) ? body['data'] : {};
      const fields: Record<string, string> = {};
      for (const [key, value] of Object.entries(data)) {
        if (key !== 'message' && key !== 'code') {
          fields[key] = String(value);
        }
      }
      const hasFields = Object.keys(fields).length > 0;
      const message = typeof data['message'] === 'string' ? data['message']
        : hasFields ? Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; ')
          : `Request refused (HTTP ${status})`;
      return new ApiError({
        status, message, retryAfter,
        code: typeof data['code'] === 'string' ? data['code'] : null,
        fields: hasFields ? fields : null,
      });
    }
    if (isObject(body) && body['status'] === 'error' && typeof body['message'] === 'string') {
      return new ApiError({ status, message: body['message'], retryAfter });
    }
    return new ApiError({ status, message: `Unexpected answer from the service (HTTP ${status})`, retryAfter });
  }

  static network(cause: unknown): ApiError {
    return new ApiError({
      status: 0, networkError: true, cause,
      message: 'The service could not be reached',
    });
  }
}

/** Retry-After is either seconds or an HTTP date; whole seconds, or null. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value) {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return parseInt(value, 10);
  }
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
