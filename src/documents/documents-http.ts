import * as z from 'zod/mini';
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

/**
 * The documents-api function's routes over the use cases, each with its own validation:
 * `POST /documents` → 201, `GET /documents` → 200 page, `GET /documents/{id}` → 200, `DELETE /documents/{id}`
 * → 204; anything else → 404 ROUTE_NOT_FOUND. Errors answer `{"error":{code,message,requestId}}`.
 */
export function createDocumentsHttpHandler(api: DocumentsApi): HttpHandler {
  const routes: Record<string, HttpHandler> = {
    'POST /documents': httpHandler(async (event) => jsonResponse(201, await api.createUpload(event.body)), {
      bodySchema: uploadRequestSchema,
    }),
    'GET /documents': httpHandler(
      async (event) => jsonResponse(200, await api.listDocuments(event.queryStringParameters)),
      { querySchema: listQuerySchema },
    ),
    'GET /documents/{id}': httpHandler(
      async (event) => jsonResponse(200, await api.getDocument(event.pathParameters.id)),
      { pathSchema: idPathSchema },
    ),
    'DELETE /documents/{id}': httpHandler(
      async (event) => {
        await api.deleteDocument(event.pathParameters.id);
        return { statusCode: 204 };
      },
      { pathSchema: idPathSchema },
    ),
  };
  const notFound = httpHandler(async () => {
    throw new RouteNotFoundError();
  });
  return (event, context) => (routes[event.routeKey] ?? notFound)(event, context);
}
