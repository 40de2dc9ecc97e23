import { createEmulatorClients, type EmulatorClients } from '../../plugins/local-stack/emulator-clients';
import type { LocalStackState } from '../../plugins/local-stack/state';

/** SDK clients aimed at the emulators of a running local stack, in its region, signing with its credentials. */
export function emulatorClientsOf(
  state: Pick<LocalStackState, 'emulators' | 'region' | 'credentials'>,
): EmulatorClients {
  const { s3, sqs, dynamodb } = state.emulators;
  return createEmulatorClients(
    { s3: s3.endpoint, sqs: sqs.endpoint, dynamodb: dynamodb.endpoint },
    state.region,
    state.credentials,
  );
}
