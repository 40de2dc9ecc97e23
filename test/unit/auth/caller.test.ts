import {
  MAX_OWNER_BYTES,
  callerOf,
  requireScope,
  requireVerifiedScope,
  scopesOf,
  verifiedClaimsOf,
  type AuthorizedEvent,
} from '../../../src/auth/caller';
import { SCOPES } from '../../../src/auth/scopes';
import { ForbiddenError, UnauthorizedError } from '../../../src/errors';
import { httpEvent } from '../middleware/events';

/** An API Gateway v2 event whose requestContext carries `authorizer` (as the JWT authorizer sets it). */
function eventWith(authorizer: unknown): AuthorizedEvent {
  const event = httpEvent();
  return { requestContext: { ...event.requestContext, authorizer } as never };
}
const withClaims = (claims: unknown) => eventWith({ jwt: { claims, scopes: [] } });

describe('verifiedClaimsOf', () => {
  it('reads the claims the JWT authorizer verified', () => {
    const claims = { sub: 'alice', scope: 'documents/read' };
    expect(verifiedClaimsOf(withClaims(claims))).toEqual(claims);
  });

  it.each([
    ['no authorizer', httpEvent()],
    ['no requestContext', { requestContext: undefined } as unknown as AuthorizedEvent],
    ['an authorizer without jwt (a Lambda authorizer)', eventWith({ lambda: { sub: 'alice' } })],
    ['jwt without claims', eventWith({ jwt: { scopes: ['documents/read'] } })],
    ['claims that are null', withClaims(null)],
    ['claims that are a string', withClaims('{"sub":"alice"}')],
    ['claims that are an array', withClaims([{ sub: 'alice' }])],
  ])('is undefined for %s', (_name, event) => {
    expect(verifiedClaimsOf(event)).toBeUndefined();
  });

  it('never reads the Authorization header, which nothing verified', () => {
    const event = httpEvent({ headers: { authorization: 'Bearer e30.eyJzdWIiOiJhbGljZSJ9.x' } });
    expect(verifiedClaimsOf(event)).toBeUndefined();
  });
});

describe('scopesOf', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      'a space-separated scope',
      { scope: 'documents/read documents/write' },
      ['documents/read', 'documents/write'],
    ],
    [
      'extra whitespace',
      { scope: '  documents/read \t documents/write  ' },
      ['documents/read', 'documents/write'],
    ],
    ['an scp array', { scp: ['documents/read', 'intake/admin'] }, ['documents/read', 'intake/admin']],
    ['an scp array with non-strings', { scp: ['documents/read', 7, null] }, ['documents/read']],
    [
      "API Gateway's stringified scp",
      { scp: '[documents/read intake/admin]' },
      ['documents/read', 'intake/admin'],
    ],
    ["API Gateway's stringified empty array", { scp: '[]' }, []],
    ['a scope of one', { scope: 'intake/admin' }, ['intake/admin']],
    ['an empty scope', { scope: '' }, []],
    ['no scope at all', {}, []],
    ['a scope that is not a string', { scope: 42 }, []],
    ['scope before scp', { scope: 'documents/read', scp: ['intake/admin'] }, ['documents/read']],
  ])('reads %s', (_name, claims, expected) => {
    expect([...scopesOf(claims)].sort()).toEqual([...expected].sort());
  });

  it('matches whole scopes only', () => {
    const scopes = scopesOf({ scope: 'documents/reader xintake/admin' });
    expect(scopes.has(SCOPES.documentsRead)).toBe(false);
    expect(scopes.has(SCOPES.admin)).toBe(false);
  });
});

describe('callerOf', () => {
  const bySub = { ownerClaim: 'sub' };

  it('gives subject, owner (the sub by default) and scopes', () => {
    const caller = callerOf(withClaims({ sub: 'alice', scope: 'documents/read documents/write' }), bySub);
    expect(caller).toEqual({
      subject: 'alice',
      owner: 'alice',
      scopes: new Set(['documents/read', 'documents/write']),
    });
  });

  it('takes the owner from the configured claim', () => {
    const claims = { sub: 'alice', 'custom:tenant': 'acme', org_id: 'org-1' };
    expect(callerOf(withClaims(claims), { ownerClaim: 'custom:tenant' })).toMatchObject({
      subject: 'alice',
      owner: 'acme',
    });
    expect(callerOf(withClaims(claims), { ownerClaim: 'org_id' }).owner).toBe('org-1');
  });

  it.each([
    ['no verified claims', httpEvent()],
    ['claims without sub', withClaims({ scope: 'documents/read' })],
    ['an empty sub', withClaims({ sub: '' })],
    ['a sub that is not a string', withClaims({ sub: 42 })],
  ])('refuses %s with 401 UnauthorizedError', (_name, event) => {
    const refusal = () => callerOf(event, bySub);
    expect(refusal).toThrow(UnauthorizedError);
    expect(refusal).toThrow(expect.objectContaining({ statusCode: 401, code: 'UNAUTHORIZED' }));
  });

  it.each<[string, Record<string, unknown>]>([
    ['a missing owner claim', { sub: 'alice' }],
    ['an empty owner claim', { sub: 'alice', 'custom:tenant': '' }],
    ['a numeric owner claim', { sub: 'alice', 'custom:tenant': 7 }],
    ['an array owner claim', { sub: 'alice', 'custom:tenant': ['acme'] }],
    ['an object owner claim', { sub: 'alice', 'custom:tenant': { id: 'acme' } }],
  ])('refuses %s with 403 ForbiddenError naming the claim', (_name, claims) => {
    const refusal = () => callerOf(withClaims(claims), { ownerClaim: 'custom:tenant' });
    expect(refusal).toThrow(ForbiddenError);
    expect(refusal).toThrow(/custom:tenant/);
  });

  it(`refuses an owner over ${MAX_OWNER_BYTES} UTF-8 bytes with 403, counting bytes, not characters`, () => {
    expect(MAX_OWNER_BYTES).toBe(256);
    const owner = (value: string) => () => callerOf(withClaims({ sub: value }), bySub);
    expect(owner('a'.repeat(256))).not.toThrow();
    expect(owner('a'.repeat(257))).toThrow(ForbiddenError);
    expect(owner('€'.repeat(85))).not.toThrow(); // 255 bytes
    expect(owner('€'.repeat(86))).toThrow(ForbiddenError); // 258 bytes in 86 characters
  });
});

describe('requireScope', () => {
  it('passes with the scope and throws 403 ForbiddenError naming it without', () => {
    expect(() => requireScope(new Set([SCOPES.documentsRead]), SCOPES.documentsRead)).not.toThrow();
    expect(() => requireScope(new Set([SCOPES.documentsRead]), SCOPES.documentsWrite)).toThrow(
      new ForbiddenError('The token lacks the documents/write scope'),
    );
  });
});

describe('requireVerifiedScope', () => {
  it('passes for verified claims with the scope, with or without a sub', () => {
    expect(() =>
      requireVerifiedScope(withClaims({ sub: 'operator', scope: 'intake/admin' }), SCOPES.admin),
    ).not.toThrow();
    expect(() => requireVerifiedScope(withClaims({ scp: '[intake/admin]' }), SCOPES.admin)).not.toThrow();
  });

  it('throws 401 without verified claims', () => {
    expect(() => requireVerifiedScope(httpEvent(), SCOPES.admin)).toThrow(UnauthorizedError);
    expect(() => requireVerifiedScope(eventWith({ jwt: {} }), SCOPES.admin)).toThrow(UnauthorizedError);
  });

  it('throws 403 for verified claims without the scope', () => {
    for (const claims of [{ sub: 'alice' }, { sub: 'alice', scope: 'documents/read documents/write' }]) {
      expect(() => requireVerifiedScope(withClaims(claims), SCOPES.admin)).toThrow(ForbiddenError);
    }
  });
});

describe('SCOPES', () => {
  it('names the scopes of the fixed contract', () => {
    expect(SCOPES).toEqual({
      documentsRead: 'documents/read',
      documentsWrite: 'documents/write',
      admin: 'intake/admin',
    });
  });
});

describe('callerOf and ill-formed Unicode', () => {
  it('refuses an owner with a lone surrogate: it has no UTF-8 form, and would share a key with U+FFFD', () => {
    const event = (owner: string) =>
      ({ requestContext: { authorizer: { jwt: { claims: { sub: owner } } } } }) as never;
    expect(() => callerOf(event('\ud800'), { ownerClaim: 'sub' })).toThrow(ForbiddenError);
    expect(() => callerOf(event('a\udc00'), { ownerClaim: 'sub' })).toThrow(ForbiddenError);
    expect(callerOf(event('\ufffd'), { ownerClaim: 'sub' }).owner).toBe('\ufffd');
    expect(callerOf(event('😀'), { ownerClaim: 'sub' }).owner).toBe('😀');
  });
});
