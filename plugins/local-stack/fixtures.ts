import type { CfnResource } from './provision';
import type { FunctionDefinition } from './service-model';

/** The fixture file's shape: functions and the resources only they use. */
export interface FixtureDefinitions {
  functions?: Record<string, Omit<FunctionDefinition, 'name'>>;
  resources?: { Resources?: Record<string, CfnResource> } | Record<string, CfnResource>;
}

export interface MutableService {
  service: string;
  functions: Record<string, FunctionDefinition>;
  resources?: { Resources?: Record<string, CfnResource> };
}

/**
 * Adds the fixture functions (named `<service>-<stage>-<key>` like every other function) and their
 * resources to the service being started. Only ever called under `offline` with INTAKE_FIXTURES=true,
 * so fixtures never reach a package or a deploy. Returns the keys it added.
 */
export function addFixtures(service: MutableService, stage: string, fixtures: FixtureDefinitions): string[] {
  const added: string[] = [];
  for (const [key, definition] of Object.entries(fixtures.functions ?? {})) {
    if (service.functions[key])
      throw new Error(`fixture function ${key} clashes with a function of the service`);
    service.functions[key] = { events: [], ...definition, name: `${service.service}-${stage}-${key}` };
    added.push(key);
  }
  const resources = fixtures.resources ?? {};
  const declared = ('Resources' in resources ? resources.Resources : resources) as Record<
    string,
    CfnResource
  >;
  service.resources ??= {};
  service.resources.Resources = { ...service.resources.Resources, ...declared };
  return added;
}
