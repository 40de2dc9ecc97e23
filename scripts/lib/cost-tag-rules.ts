/**
 * Cost allocation (issue 16): every taggable resource of the packaged template carries the `service` and
 * `stage` tags Cost Explorer filters by (serverless/cost-allocation-tags.js), so that `npm run cost --
 * --actual` sees the whole stack. Pure, over the template JSON.
 */
import { COST_ALLOCATION_TAG_KEYS, TAGGABLE_TYPES, tagsOf } from '../../serverless/cost-allocation-tags';
import { SERVICE } from '../../serverless/names';
import type { Template } from './cfn';

/** Each taggable resource without `service` = this service, or without `stage` (= `stage` when given). */
export function costAllocationTagViolations(template: Template, options: { stage?: string } = {}): string[] {
  const violations: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!TAGGABLE_TYPES[resource.Type]) continue;
    const tags = tagsOf(resource);
    const service = tags[COST_ALLOCATION_TAG_KEYS.service];
    const stage = tags[COST_ALLOCATION_TAG_KEYS.stage];
    if (service !== SERVICE)
      violations.push(
        `${id}: cost-allocation tag ${COST_ALLOCATION_TAG_KEYS.service} is ${String(service)}, not ${SERVICE}`,
      );
    if (options.stage === undefined ? typeof stage !== 'string' || stage === '' : stage !== options.stage)
      violations.push(
        `${id}: cost-allocation tag ${COST_ALLOCATION_TAG_KEYS.stage} is ${String(stage)}${options.stage === undefined ? '' : `, not ${options.stage}`}`,
      );
  }
  return violations;
}
