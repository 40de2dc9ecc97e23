// Types of the cost-allocation-tags plugin, for its unit test.
declare class CostAllocationTags {
  constructor(serverless: {
    service: {
      provider: {
        tags?: Record<string, string>;
        compiledCloudFormationTemplate: { Resources: Record<string, { Type: string; Properties?: object }> };
      };
    };
  });
  readonly hooks: Record<string, () => void>;
  tagResources(): void;
}
export = CostAllocationTags;
