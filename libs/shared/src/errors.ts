/**
 * CairnError and the subclasses every package shares. Services add their own in their
 * own `errors.ts`; this file does not know about HTTP frameworks.
 */

export interface CairnErrorOptions extends ErrorOptions {
  /** HTTP status a server should answer with when this error reaches its error handler. */
  status?: number;
  details?: Record<string, unknown>;
}

/** Base class: a stable `code`, an optional HTTP `status` and structured `details`. */
export class CairnError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.details = options.details ?? {};
  }
}

/** Invalid configuration: startup stops with `message` as its one line. */
export class ConfigError extends CairnError {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super('CAIRN_CONFIG_INVALID', `${source}: ${field ? `${field}: ` : ''}${problem}`, {
      details: { source, field },
    });
  }
}

/** Bad input from a client or an operator; answered with 400 naming the field. */
export class ValidationError extends CairnError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('CAIRN_VALIDATION_FAILED', message, { status: 400, details: { field } });
  }
}

export class NotFoundError extends CairnError {
  constructor(what: string, id: string) {
    super('CAIRN_NOT_FOUND', `${what} ${JSON.stringify(id)} not found`, { status: 404, details: { what, id } });
  }
}

/** Optimistic concurrency failed: the stored revision is not the one the writer expected. */
export class RevisionConflictError extends CairnError {
  constructor(
    readonly expected: number,
    readonly actual: number | undefined,
  ) {
    super('CAIRN_RULE_REVISION_CONFLICT', `expected revision ${expected}, the current revision is ${actual ?? 'none'}`, {
      status: 412,
      details: { expected, actual },
    });
  }
}

/** The resource already exists (create-only write). */
export class AlreadyExistsError extends CairnError {
  constructor(what: string, id: string) {
    super('CAIRN_ALREADY_EXISTS', `${what} ${JSON.stringify(id)} already exists`, { status: 409, details: { what, id } });
  }
}

/** A NATS message whose payload does not match its contract. */
export class MalformedMessageError extends CairnError {
  constructor(
    readonly subject: string,
    readonly seq: number | undefined,
    readonly issues: string,
  ) {
    super('CAIRN_MALFORMED_MESSAGE', `malformed message on ${subject}: ${issues}`, { details: { subject, seq } });
  }
}

/** A subject token that would change the subject's shape (`.`, `*`, `>` or whitespace). */
export class InvalidSubjectTokenError extends CairnError {
  constructor(token: string) {
    super('CAIRN_INVALID_SUBJECT_TOKEN', `subject token ${JSON.stringify(token.slice(0, 64))} is empty, too long, or contains '.', '*', '>' or whitespace`);
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/**
 * The HTTP answer for an error reaching a server's error handler: a CairnError keeps its
 * status and code; framework errors that carry a 4xx status (bad JSON, wrong content
 * type) keep theirs; anything else is a 500 whose details stay in the log.
 */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof CairnError) {
    const field = typeof err.details.field === 'string' ? err.details.field : undefined;
    return {
      status: err.status ?? 500,
      body: { error: err.code, message: err.message, ...(field === undefined ? {} : { field }) },
    };
  }
  const { statusCode, code, message } = err as { statusCode?: number; code?: string; message?: string };
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: code ?? 'CAIRN_BAD_REQUEST', message: message ?? 'bad request' } };
  }
  return { status: 500, body: { error: 'CAIRN_INTERNAL', message: 'internal error' } };
}
