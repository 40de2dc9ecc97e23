/**
 * The OAuth scopes of intake's API. serverless.yml puts them on the routes (API Gateway enforces them);
 * the handlers check them again, as defence in depth. Cognito names custom scopes
 * `<resource server>/<scope>`: docs/auth.md.
 */
export const SCOPES = {
  documentsRead: 'documents/read',
  documentsWrite: 'documents/write',
  admin: 'intake/admin',
} as const;
