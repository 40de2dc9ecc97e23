import * as z from 'zod/mini';
import { callerOf, requireScope, type AuthorizedEvent } from '../auth/caller';
import { SCOPES } from '../auth/scopes';
import { RouteNotFoundError } from '../errors';
import { httpHandler, type HttpHandler } from '../middleware/http';
import { jsonResponse } from '../middleware/http-types';
import type { DocumentsApi } from './documents-api';

const uploadRequestSchema = z.object({
  filename: z.string().check(z.minLength(1), z.maxLength(1024)),
  contentType: z.string().check(z.minLength(1), z.maxLength(255)),
  size: z.number().check(z.int(), z.gte(1)),
});
const idPathSchema = z.object({ id: z.string() });
const listQuerySchema = z.object({
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
});

export interface DocumentsHttpOptions {
  /** The token claim that owns documents (DOCUMENTS_OWNER_CLAIM). */
  ownerClaim: string;
}

/**
 * The documents-api function's routes over the use cases, each with its own validation:
 * `POST /documents` → 201, `GET /documents` → 200 page, `GET /documents/{id}` → 200, `DELETE /documents/{id}`
 * → 204; anything else → 404 ROUTE_NOT_FOUND. Errors answer `{"error":{code,message,requestId}}`.
 * The owner is the verified token's owner claim, never anything the client sends; a request without
 * verified claims gets 401 and one without the route's scope 403, even if a route lost its authorizer.
 */
export function createDocumentsHttpHandler(api: DocumentsApi, options: DocumentsHttpOptions): HttpHandler {
  const ownerFor = (event: AuthorizedEvent, scope: string): string => {
    const caller = callerOf(event, options);
    requireScope(caller.scopes, scope);
    return caller.owner;
  };
  const reader = (event: AuthorizedEvent) => ownerFor(event, SCOPES.documentsRead);
  const writer = (event: AuthorizedEvent) => ownerFor(event, SCOPES.documentsWrite);
  const routes: Record<string, HttpHandler> = {
    'POST /documents': httpHandler(
      async (event) => jsonResponse(201, await api.createUpload(writer(event), event.body)),
      { authorize: writer, bodySchema: uploadRequestSchema },
    ),
    'GET /documents': httpHandler(
      async (event) => jsonResponse(200, await api.listDocuments(reader(event), event.queryStringParameters)),
      { authorize: reader, querySchema: listQuerySchema },
    ),
    'GET /documents/{id}': httpHandler(
      async (event) => jsonResponse(200, await api.getDocument(reader(event), event.pathParameters.id)),
      { authorize: reader, pathSchema: idPathSchema },
    ),
    'DELETE /documents/{id}': httpHandler(
      async (event) => {
        await api.deleteDocument(writer(event), event.pathParameters.id);
        return { statusCode: 204 };
      },
      { authorize: writer, pathSchema: idPathSchema },
    ),
  };
  const notFound = httpHandler(async () => {
    throw new RouteNotFoundError();
  });
  return (event, context) => (routes[event.routeKey] ?? notFound)(event, context);
}
