/*
 * The names of the stack's queues, tables and bucket, derived once from service and stage. serverless.yml
 * reads them (`custom.names: ${file(./serverless/names.js):names}`) for the resources it creates; the
 * operator scripts (scripts/lib/ops-target.ts) find a deployed stage's queues by the same names.
 */

/** The service name, as serverless.yml's `service:` (test/unit/platform/resource-names.test.ts keeps them equal). */
const SERVICE = 'intake';

/**
 * Every fixed name of `service` at `stage`. The bucket's holds CloudFormation pseudo parameters (use it
 * inside Fn::Sub only): bucket names are global, so account and region make it unique.
 */
function resourceNames(service, stage) {
  const prefix = `${service}-${stage}`;
  return {
    documentsBucket: `${prefix}-documents-\${AWS::AccountId}-\${AWS::Region}`,
    webhooksQueue: `${prefix}-webhooks`,
    webhooksDeadLetterQueue: `${prefix}-webhooks-dlq`,
    documentsQueue: `${prefix}-documents`,
    documentsDeadLetterQueue: `${prefix}-documents-dlq`,
    documentProcessFailureQueue: `${prefix}-document-process-failures`,
    scanResultsQueue: `${prefix}-scan-results`,
    scanResultsDeadLetterQueue: `${prefix}-scan-results-dlq`,
    idempotencyTable: `${prefix}-idempotency`,
    quotasTable: `${prefix}-quotas`,
    webhookControlsTable: `${prefix}-webhook-controls`,
    deliveriesTable: `${prefix}-deliveries`,
  };
}

module.exports = {
  SERVICE,
  resourceNames,
  names: async ({ resolveVariable }) =>
    resourceNames(await resolveVariable('self:service'), await resolveVariable('sls:stage')),
};
