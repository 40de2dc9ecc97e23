import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isSupportedNode, unsupportedNodeMessage } = require('../../../scripts/check-node.cjs') as {
  isSupportedNode(version: string): boolean;
  unsupportedNodeMessage(version: string): string;
};

describe('the Node preflight of npm ci, npm start and npm test', () => {
  it.each(['v24.22.3', '24.0.0', '22.15.0', '22.23.3', '26.1.0'])('accepts Node %s', (version) => {
    expect(isSupportedNode(version)).toBe(true);
  });

  it.each(['20.20.2', 'v20.18.0', '22.12.0', '22.14.0', '18.20.8', '21.7.3'])(
    'refuses Node %s',
    (version) => {
      expect(isSupportedNode(version)).toBe(false);
    },
  );

  it('says in one line which Node is needed and how to get it', () => {
    const message = unsupportedNodeMessage('20.20.2');
    expect(message).not.toContain('\n');
    expect(message).toMatch(/needs Node 24 \(or 22\.15\+\); this is Node 20\.20\.2\..*\.nvmrc/);
  });

  it('passes quietly on the Node running this suite', () => {
    expect(
      execFileSync(process.execPath, [
        join(__dirname, '..', '..', '..', 'scripts', 'check-node.cjs'),
      ]).toString(),
    ).toBe('');
  });
});
