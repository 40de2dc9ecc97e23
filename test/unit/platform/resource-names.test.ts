/**
 * serverless/names.js names the stack's queues, tables and bucket once: serverless.yml takes them from
 * it (custom.names), the resources name no literal copy, and the operator scripts find a deployed
 * stage's queues by the same names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveOpsTarget } from '../../../scripts/lib/ops-target';
import { resourceNames, SERVICE } from '../../../serverless/names';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const fragments = readdirSync(join(ROOT, 'serverless'))
  .filter((file) => file.endsWith('.yml'))
  .map((file) => [`serverless/${file}`, read(`serverless/${file}`)] as const);

describe('serverless/names.js: one definition of the resource names', () => {
  it('derives every name from service and stage', () => {
    expect(resourceNames('intake', 'dev')).toMatchObject({
      webhooksQueue: 'intake-dev-webhooks',
      webhooksDeadLetterQueue: 'intake-dev-webhooks-dlq',
      documentsQueue: 'intake-dev-documents',
      documentsDeadLetterQueue: 'intake-dev-documents-dlq',
      documentsBucket: 'intake-dev-documents-${AWS::AccountId}-${AWS::Region}',
    });
  });

  it("is what serverless.yml's service and custom.names use", () => {
    const serverlessYml = read('serverless.yml');
    expect(/^service: (\S+)$/m.exec(serverlessYml)?.[1]).toBe(SERVICE);
    expect(serverlessYml).toMatch(/^ {2}names: \$\{file\(\.\/serverless\/names\.js\):names\}$/m);
  });

  it('every queue and table of serverless/*.yml takes its name from custom.names', () => {
    const literal = fragments.flatMap(([path, text]) =>
      [...text.matchAll(/^\s+(?:QueueName|TableName): (.+)$/gm)]
        .map((m) => m[1]!)
        .filter((value) => !/^\$\{self:custom\.names\.[A-Za-z]+\}$/.test(value))
        .map((value) => `${path}: ${value}`),
    );
    expect(literal).toEqual([]);
  });

  it('the operator scripts target the deployed queues by those names', () => {
    const target = resolveOpsTarget('prod', {}, ROOT);
    expect(target.queueName).toBe(resourceNames(SERVICE, 'prod').webhooksQueue);
    expect(target.dlqName).toBe(resourceNames(SERVICE, 'prod').webhooksDeadLetterQueue);
  });
});
