import fc from 'fast-check';
import { readTopLevelStrings } from '../../../src/webhooks/json-fields';

describe('readTopLevelStrings', () => {
  it('reads id first and type last around a large nested data object (a Stripe event)', () => {
    const event = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      created: 1,
      data: { object: { id: 'pi_1', type: 'nested-type', list: [{ type: 'deeper' }] } },
      livemode: false,
      request: { id: null },
      type: 'payment_intent.succeeded',
    });
    expect(readTopLevelStrings(event, ['id', 'type'])).toEqual({
      id: 'evt_1',
      type: 'payment_intent.succeeded',
    });
  });

  it('never takes a nested member for a top-level one', () => {
    expect(readTopLevelStrings('{"data":{"type":"inner","id":"x"},"other":1}', ['id', 'type'])).toEqual({});
    expect(readTopLevelStrings('{"a":[{"type":"inner"}],"b":{"c":"}"}}', ['type'])).toEqual({});
  });

  it('finds a member between two nested values', () => {
    expect(readTopLevelStrings('{"a":{"x":1},"type":"middle","b":[1,2]}', ['type'])).toEqual({
      type: 'middle',
    });
  });

  it('decodes escapes, unicode and quotes in keys and values', () => {
    const json = '{ "t\\u0079pe" : "a\\"b\\\\", "id": "caf\u00e9 🚀" }';
    expect(readTopLevelStrings(json, ['type', 'id'])).toEqual({ type: 'a"b\\', id: 'café 🚀' });
  });

  it('reads a member after nested values whose strings hold quotes and brackets', () => {
    const json = JSON.stringify({
      data: { text: 'a "quoted" } ] { [ string\\', more: ['"', '\\"'] },
      type: 'end',
    });
    expect(readTopLevelStrings(json, ['type'])).toEqual({ type: 'end' });
  });

  it('ignores non-string members and tolerates whitespace', () => {
    expect(readTopLevelStrings(' \n{ "id" : 12 , "type" : null , "x" : true }\n', ['id', 'type'])).toEqual(
      {},
    );
  });

  it.each([
    '',
    'null',
    '[1,2]',
    '"text"',
    '{',
    '{"id"',
    '{"id":"x"',
    '{"id" "x"}',
    '{"a":1 "b":2}',
    'not json',
    '{"a":{"b":1}',
    '{"a":}',
  ])('gives no crash on %j', (input) => {
    expect(() => readTopLevelStrings(input, ['id', 'type'])).not.toThrow();
  });

  it('keeps what it read before a fault', () => {
    expect(readTopLevelStrings('{"id":"evt_1", oops', ['id', 'type'])).toEqual({ id: 'evt_1' });
  });

  it('agrees with JSON.parse on arbitrary JSON objects (fast-check)', () => {
    const member = fc.oneof(fc.constant('id'), fc.constant('type'), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(fc.dictionary(member, fc.jsonValue({ maxDepth: 3 })), fc.boolean(), (object, pretty) => {
        const json = pretty ? JSON.stringify(object, null, 2) : JSON.stringify(object);
        const parsed = JSON.parse(json) as Record<string, unknown>;
        const expected: Record<string, string> = {};
        for (const name of ['id', 'type']) {
          const value = parsed[name];
          if (typeof value === 'string') expected[name] = value;
        }
        expect(readTopLevelStrings(json, ['id', 'type'])).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary text (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 80 }), (text) => {
        readTopLevelStrings(`{${text}`, ['id', 'type']);
        readTopLevelStrings(`${text}}`, ['id', 'type']);
      }),
      { numRuns: 2000 },
    );
  });
});
