// Types of serverless/names.js for the TypeScript that finds the stack's resources by name.

export const SERVICE: string;
export function resourceNames(
  service: string,
  stage: string,
): {
  documentsBucket: string;
  webhooksQueue: string;
  webhooksDeadLetterQueue: string;
  documentsQueue: string;
  documentsDeadLetterQueue: string;
  documentProcessFailureQueue: string;
  scanResultsQueue: string;
  scanResultsDeadLetterQueue: string;
  idempotencyTable: string;
  quotasTable: string;
  webhookControlsTable: string;
  deliveriesTable: string;
};
