import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DomainError, validationRefusal, type Role, type ServiceName } from '@aptic/contracts';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { Principal, TokenStore } from '../auth/tokens.ts';
import { remoteRefusal, unreachable } from '../actions.ts';

// biome-ignore lint/suspicious/noExplicitAny: any server, request and reply types (http or https, plugins' decorations)
export type AdminApp = FastifyInstance<any, any, any, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route besides admin; absent: admin only. */
    roles?: readonly Role[];
    /** No token needed (health, readiness, metrics). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const PUBLIC_PREFIXES = ['/docs'];

/** What each part of a request is called in a refusal that names no field. */
const REQUEST_PARTS: Record<string, string> = {
  body: 'corps de la requête',
  querystring: 'paramètres de l’adresse',
  params: 'adresse',
  headers: 'en-têtes',
};

/** Fastify's own refusals of a request (before any route runs), with their code and French message. */
const REQUEST_REFUSALS: Record<string, [code: string, message: string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'le corps de la requête n’est pas du JSON valide.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [
    'empty_body',
    'le corps de la requête est vide alors qu’il est annoncé en JSON (content-type: application/json).',
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'ce type de contenu n’est pas accepté par cette route.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['body_too_large', 'le corps de la requête est trop volumineux pour cette route.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    'invalid_content_length',
    'la taille du corps de la requête ne correspond pas à son en-tête Content-Length.',
  ],
  FST_ERR_BAD_URL: ['bad_url', 'l’adresse demandée est mal formée.'],
};

/** Maps every error to the one refusal shape, in French; a user's mistake is never a 500. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError) return reply.status(error.status).send(error.toRefusal());
  if (error.validation) {
    const first = error.validation[0];
    const where = error.validationContext ?? 'body';
    return reply
      .status(400)
      .send(validationRefusal(`invalid_${where}`, first?.instancePath, first?.message, REQUEST_PARTS[where]));
  }
  // A call to another service that no route turned into its own refusal: its answer, or a 503.
  const remote = remoteRefusal(error);
  if (remote) return reply.status(remote.status).send(remote.toRefusal());
  if (unreachable(error)) {
    request.log.warn({ err: error }, 'another service did not answer');
    return reply.status(503).send({
      code: 'service_unavailable',
      message: 'Un service de la plateforme ne répond pas pour le moment : réessayez dans un instant.',
    });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const known = REQUEST_REFUSALS[error.code];
    if (known) return reply.status(status).send({ code: known[0], message: known[1] });
    request.log.info({ err: error }, 'request refused');
    return reply
      .status(status)
      .send({ code: (error.code ?? 'bad_request').toLowerCase(), message: `Requête refusée (${status}).` });
  }
  request.log.error({ err: error }, 'unexpected error');
  return reply.status(500).send({ code: 'internal_error', message: 'Erreur inattendue ; elle a été journalisée.' });
}

/** A GET with a signed link (TokenStore.signLink) instead of a bearer header: its query parameters are the link's, not the route's. */
async function signedLink(tokens: TokenStore, request: FastifyRequest): Promise<Principal | undefined> {
  const query = request.query as Record<string, unknown> | undefined;
  if (request.method !== 'GET' || !query?.signature) return undefined;
  const principal = await tokens.authenticateLink(request.url.split('?')[0]!, query);
  for (const key of ['link', 'expires', 'signature']) delete query[key];
  return principal;
}

/** Bearer-token check on every route not marked public. */
function authenticate(tokens: TokenStore) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    request.principal = null;
    const config = request.routeOptions.config;
    if (config?.public || PUBLIC_PREFIXES.some((p) => request.url.startsWith(p))) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? await tokens.authenticate(match[1]!) : await signedLink(tokens, request);
    if (!principal) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({
        code: 'unauthenticated',
        message: 'Un jeton d’accès valide est requis (en-tête Authorization: Bearer …).',
      });
    }
    const allowed = principal.role === 'admin' || (config?.roles ?? []).includes(principal.role);
    if (!allowed) {
      return reply.status(403).send({
        code: 'forbidden',
        message: `Le rôle ${principal.role} ne peut pas utiliser ${request.method} ${request.routeOptions.url}.`,
      });
    }
    request.principal = principal;
  };
}

export async function createAdminServer(options: {
  service: ServiceName;
  log: Logger;
  tokens: TokenStore;
  metrics: Registry;
  ready: () => Promise<string | undefined>;
  /** Reverse proxies whose X-Forwarded-For gives `request.ip` (none: the connection's address). */
  trustedProxies: string[];
}): Promise<AdminApp> {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    trustProxy: options.trustedProxies.length > 0 ? options.trustedProxies : false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'not_found', message: `Aucune route ${request.method} ${request.url}.` }),
  );
  app.decorateRequest('principal', null);
  app.addHook('onRequest', authenticate(options.tokens));

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Admin HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    registers: [options.metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: { title: `#APTIC ${options.service} admin API`, version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/health', { config: { public: true }, schema: { hide: true } }, async () => ({
    status: 'ok',
    service: options.service,
  }));
  app.get('/ready', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const problem = await options.ready();
    return problem ? reply.status(503).send({ ready: false, reason: problem }) : { ready: true };
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', options.metrics.contentType).send(await options.metrics.metrics()),
  );
  return app;
}
