/**
 * What every Cairn HTTP server has (docs/request-flow.md): `/health`, `/ready`, `/metrics`, and
 * one error handler mapping errors to `{error, message, field}` answers.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { cairnVersion, registerBuildInfo } from '../build-info.js';
import { isDraining } from '../drain-state.js';
import { toErrorResponse } from '../errors.js';

/**
 * What a server may answer itself instead of the defaults: a proxy (the gateway) marks every
 * answer it makes, errors included, so it brings its own error handler and the answers to
 * requests fastify's router or node's parser refuse.
 */
export interface HttpServerOptions {
  /** Replaces the one error handler below (still one per server). */
  errorHandler?: Parameters<FastifyInstance['setErrorHandler']>[0];
  /** Fastify's answer to a malformed URL (FST_ERR_BAD_URL) and similar router failures. */
  frameworkErrors?: FastifyServerOptions['frameworkErrors'];
  /** Fastify's answer on the raw socket to a request node's parser refused (400, 408, 431). */
  clientErrorHandler?: FastifyServerOptions['clientErrorHandler'];
}

/** A fastify instance with the service's logger, no per-request log lines, and the one error handler. */
export function createHttpServer(logger: Logger, options: HttpServerOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ...(options.frameworkErrors === undefined ? {} : { frameworkErrors: options.frameworkErrors }),
    ...(options.clientErrorHandler === undefined ? {} : { clientErrorHandler: options.clientErrorHandler }),
  });
  if (options.errorHandler === undefined) installErrorHandler(app, logger);
  else app.setErrorHandler(options.errorHandler);
  return app;
}

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

export interface ServiceEndpoints {
  readiness(): Readiness;
  registry: Registry;
}

/**
 * `/health` says the process lives (with its version and whether NATS is connected); `/ready`
 * whether to send it traffic: 503 also while it drains after SIGTERM (run-service.ts).
 * `/metrics` carries `cairn_build_info`, labelled with the logger's `service`.
 */
export function registerServiceEndpoints(app: FastifyInstance, endpoints: ServiceEndpoints): void {
  const service = (app.log as Logger).bindings().service;
  registerBuildInfo(endpoints.registry, typeof service === 'string' ? service : 'unknown');
  app.get('/health', async () => healthOf(endpoints.readiness()));
  app.get('/ready', async (_request, reply) => {
    const readiness = readinessWhileDraining(endpoints.readiness());
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', endpoints.registry.contentType).send(await endpoints.registry.metrics()),
  );
}

/** The `/health` body: alive (200) whatever NATS does; `nats` says whether it is connected, when the service uses it. */
export function healthOf(readiness: Readiness): Record<string, unknown> {
  return { status: 'ok', version: cairnVersion, ...(typeof readiness.nats === 'boolean' ? { nats: readiness.nats ? 'connected' : 'not connected' } : {}), ...(isDraining() ? { draining: true } : {}) };
}

/** A draining process is not ready, whatever else it reports. */
export function readinessWhileDraining(readiness: Readiness): Readiness {
  return isDraining() ? { ...readiness, ready: false, draining: true } : readiness;
}

/** The server's one error handler: 5xx are logged with the error, 4xx are the client's business. */
function installErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler(async (err, request, reply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) logger.error({ err, reqId: request.id, url: request.url }, 'request failed');
    return reply.code(status).send(body);
  });
}
