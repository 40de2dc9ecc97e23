/*
 * Cost-allocation tags: every taggable resource of the stack carries `service` and `stage`, so that Cost
 * Explorer can show what one stage costs (`npm run cost -- --actual --stage prod`, docs/cost.md). The values
 * are serverless.yml's provider.tags (osls puts those on the functions and the HTTP API, and provider.stackTags
 * has CloudFormation propagate them at deploy); plugins/cost-allocation-tags adds them to every other taggable
 * resource of the packaged template, and scripts/check-template.ts checks that each one has both.
 */

/** The tag keys (activate both as cost-allocation tags in the Billing console). */
const COST_ALLOCATION_TAG_KEYS = { service: 'service', stage: 'stage' };

/**
 * The resource types of this template that take tags in CloudFormation, and how: a list of {Key, Value}
 * under `Tags`, or a map (the API Gateway v2 types, Cognito's `UserPoolTags`). A type the stack adds that
 * is not listed is not checked: add it here.
 */
const TAGGABLE_TYPES = {
  'AWS::S3::Bucket': { property: 'Tags', format: 'list' },
  'AWS::SQS::Queue': { property: 'Tags', format: 'list' },
  'AWS::DynamoDB::Table': { property: 'Tags', format: 'list' },
  'AWS::Lambda::Function': { property: 'Tags', format: 'list' },
  'AWS::Logs::LogGroup': { property: 'Tags', format: 'list' },
  'AWS::IAM::Role': { property: 'Tags', format: 'list' },
  'AWS::CloudWatch::Alarm': { property: 'Tags', format: 'list' },
  'AWS::Events::Rule': { property: 'Tags', format: 'list' },
  'AWS::GuardDuty::MalwareProtectionPlan': { property: 'Tags', format: 'list' },
  'AWS::ApiGatewayV2::Api': { property: 'Tags', format: 'map' },
  'AWS::ApiGatewayV2::Stage': { property: 'Tags', format: 'map' },
  'AWS::Cognito::UserPool': { property: 'UserPoolTags', format: 'map' },
};

/** The tags a resource carries, as a map, whatever its format ({} when none or not taggable). */
function tagsOf(resource) {
  const how = TAGGABLE_TYPES[resource.Type];
  const tags = how && resource.Properties ? resource.Properties[how.property] : undefined;
  if (!tags) return {};
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  return { ...tags };
}

/**
 * Adds `tags` to every taggable resource of `resources` (a template's Resources), in its type's format;
 * a value the resource sets itself is kept.
 */
function addCostAllocationTags(resources, tags) {
  for (const resource of Object.values(resources)) {
    const how = TAGGABLE_TYPES[resource.Type];
    if (!how) continue;
    const merged = { ...tags, ...tagsOf(resource) };
    resource.Properties = resource.Properties ?? {};
    resource.Properties[how.property] =
      how.format === 'list' ? Object.entries(merged).map(([Key, Value]) => ({ Key, Value })) : merged;
  }
}

module.exports = { COST_ALLOCATION_TAG_KEYS, TAGGABLE_TYPES, tagsOf, addCostAllocationTags };
