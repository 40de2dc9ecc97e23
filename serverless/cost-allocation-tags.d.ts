export declare const COST_ALLOCATION_TAG_KEYS: { readonly service: 'service'; readonly stage: 'stage' };
export declare const TAGGABLE_TYPES: Readonly<
  Record<string, { readonly property: string; readonly format: 'list' | 'map' }>
>;
export declare function tagsOf(resource: {
  Type: string;
  Properties?: Record<string, unknown>;
}): Record<string, unknown>;
export declare function addCostAllocationTags(
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  tags: Record<string, string>,
): void;
