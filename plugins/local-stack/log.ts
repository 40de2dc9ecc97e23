/** The few log levels the local stack uses; the plugin maps them onto the framework's logger. */
export interface LocalLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** A LocalLog that says nothing, for tests that assert on behaviour rather than on messages. */
export const silentLog: LocalLog = { info: () => {}, warning: () => {}, error: () => {} };
