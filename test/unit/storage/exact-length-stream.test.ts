import { Readable } from 'node:stream';

import { exactLengthStream, readAll } from '../../../src/aws/storage/body';

const chunks = (...sizes: number[]) => Readable.from(sizes.map((size) => Buffer.alloc(size, 1)));

describe('exactLengthStream', () => {
  it('passes a body of exactly the declared length through unchanged, telling nobody', async () => {
    const onWrongLength = jest.fn(() => new Error('wrong'));

    const bytes = await readAll(exactLengthStream(chunks(3, 4), 7, onWrongLength));

    expect(bytes.length).toBe(7);
    expect(onWrongLength).not.toHaveBeenCalled();
  });

  it('fails as soon as the body passes the declared length, once, with the error given', async () => {
    const onWrongLength = jest.fn(() => new Error('too long'));

    await expect(readAll(exactLengthStream(chunks(3, 4, 5), 5, onWrongLength))).rejects.toThrow('too long');
    expect(onWrongLength).toHaveBeenCalledTimes(1);
  });

  it('fails when the body ends short of the declared length', async () => {
    await expect(readAll(exactLengthStream(chunks(3), 5, () => new Error('too short')))).rejects.toThrow(
      'too short',
    );
  });

  it('without an error to fail with, passes nothing past the length and ends, telling once', async () => {
    const onWrongLength = jest.fn(() => undefined);

    const bytes = await readAll(exactLengthStream(chunks(3, 4, 5), 5, onWrongLength));

    expect(bytes.length).toBe(3);
    expect(onWrongLength).toHaveBeenCalledTimes(1);
  });
});
