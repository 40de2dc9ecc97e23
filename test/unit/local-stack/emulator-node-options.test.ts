import { emulatorNodeOptions } from '../../../plugins/local-stack/emulator-process';

describe('emulatorNodeOptions', () => {
  it('gives s3rver the legacy OpenSSL provider and the other emulators nothing', () => {
    expect(emulatorNodeOptions('s3')).toBe('--openssl-legacy-provider');
    expect(emulatorNodeOptions('sqs')).toBe('');
  });

  it('passes on only the CPU profiler flags of the parent, so a profiled stack profiles its emulators', () => {
    const parent = '--import tsx --cpu-prof --cpu-prof-dir=/tmp/profiles --max-old-space-size=512';
    expect(emulatorNodeOptions('dynamodb', parent)).toBe('--cpu-prof --cpu-prof-dir=/tmp/profiles');
    expect(emulatorNodeOptions('s3', parent)).toBe(
      '--openssl-legacy-provider --cpu-prof --cpu-prof-dir=/tmp/profiles',
    );
  });
});
