import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientCredentialsToken } from '../../../scripts/lib/tokens';
import {
  cognitoInstructions,
  DEFAULT_SCOPE,
  expandScopes,
  parseTokenArgs,
  runToken,
  tenantClaimName,
} from '../../../scripts/token';

describe('npm run token: arguments', () => {
  it('asks the local issuer for --sub with both documents scopes by default', () => {
    expect(parseTokenArgs(['--sub', 'alice'], {})).toEqual({
      kind: 'local',
      request: { sub: 'alice', scope: DEFAULT_SCOPE },
    });
  });

  it('takes full scope names and the short names read, write and admin', () => {
    expect(expandScopes('read write')).toBe('documents/read documents/write');
    expect(expandScopes('admin')).toBe('intake/admin');
    expect(expandScopes('documents/read,admin read')).toBe('documents/read intake/admin');
    expect(parseTokenArgs(['--sub', 'a', '--scope', 'admin', '--ttl', '60'], {})).toEqual({
      kind: 'local',
      request: { sub: 'a', scope: 'intake/admin', ttlSeconds: 60 },
    });
  });

  it('sets the tenant claim DOCUMENTS_OWNER_CLAIM names, custom:tenant when it is unset or sub, or --tenant-claim', () => {
    expect(tenantClaimName(undefined, {})).toBe('custom:tenant');
    expect(tenantClaimName(undefined, { DOCUMENTS_OWNER_CLAIM: 'sub' })).toBe('custom:tenant');
    expect(tenantClaimName(undefined, { DOCUMENTS_OWNER_CLAIM: 'org_id' })).toBe('org_id');
    expect(tenantClaimName('team', { DOCUMENTS_OWNER_CLAIM: 'org_id' })).toBe('team');
    expect(
      parseTokenArgs(['--sub', 'a', '--tenant', 't1'], { DOCUMENTS_OWNER_CLAIM: 'org_id' }),
    ).toMatchObject({
      request: { claims: { org_id: 't1' } },
    });
  });

  it.each([
    [[]],
    [['--sub', '']],
    [['--sub', 'a', '--ttl', '0']],
    [['--sub', 'a', '--scope', ' ']],
    [['--nope']],
  ])('refuses %j', (args) => {
    expect(() => parseTokenArgs(args, {})).toThrow();
  });

  it('on another stage, needs no --sub and keeps the scope for the client-credentials grant', () => {
    expect(parseTokenArgs(['--stage', 'dev', '--scope', 'read'], {})).toEqual({
      kind: 'remote',
      stage: 'dev',
      scope: 'documents/read',
    });
  });

  it('says on stderr how to get a Cognito token when no client is configured, and prints no token', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(
        runToken({ kind: 'remote', stage: 'dev', scope: DEFAULT_SCOPE }, {}),
      ).resolves.toBeUndefined();
      expect(errors).toHaveBeenCalledWith(cognitoInstructions('dev'));
      expect(cognitoInstructions('dev')).toMatch(/CognitoTokenUrl[\s\S]*CognitoMachineClientId/);
    } finally {
      errors.mockRestore();
    }
  });

  it('says in one line that no local stack runs', async () => {
    await expect(
      runToken({ kind: 'local', request: { sub: 'a' } }, { INTAKE_STATE_FILE: '/nonexistent/state.json' }),
    ).rejects.toThrow(/^no local stack is running .*npm start/);
  });
});

describe('client-credentials grant (a token endpoint on 127.0.0.1, real socket)', () => {
  let server: Server;
  let url: string;
  let seen: { method?: string; authorization?: string; contentType?: string; body: string }[];

  const readBody = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => resolve(body));
    });

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      seen.push({
        method: request.method,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
      });
      const good =
        request.headers.authorization === `Basic ${Buffer.from('machine:s3cr%2Bt').toString('base64')}`;
      response.writeHead(good ? 200 : 401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          good ? { access_token: 'the-token', token_type: 'Bearer' } : { error: 'invalid_client' },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
  });
  beforeEach(() => (seen = []));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('posts grant_type and scope as a form with HTTP Basic client authentication, and returns access_token', async () => {
    const env = {
      INTAKE_TOKEN_URL: url,
      INTAKE_TOKEN_CLIENT_ID: 'machine',
      INTAKE_TOKEN_CLIENT_SECRET: 's3cr+t',
    };
    await expect(runToken({ kind: 'remote', stage: 'dev', scope: 'documents/read' }, env)).resolves.toBe(
      'the-token',
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'documents/read',
    });
  });

  it("throws with the endpoint's answer when it refuses the client", async () => {
    await expect(
      clientCredentialsToken({ tokenUrl: url, clientId: 'machine', clientSecret: 'wrong', scope: 'x' }),
    ).rejects.toThrow(/answered 401: .*invalid_client/);
  });
});
