/**
 * Cost allocation: the plugin puts serverless.yml's provider.tags on every taggable resource, in the tag format
 * of its type, and the check-template rule refuses a taggable resource without both tags.
 */
import { costAllocationTagViolations, templateViolations } from '../../../scripts/lib/template-rules';
import type { Template } from '../../../scripts/lib/template-rules';
import { addCostAllocationTags, tagsOf } from '../../../serverless/cost-allocation-tags';
import CostAllocationTags from '../../../plugins/cost-allocation-tags';

const tags = { service: 'intake', stage: 'prod' };

function template(): Template {
  return {
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'team', Value: 'ops' }] } },
      Table: { Type: 'AWS::DynamoDB::Table' },
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'x' } },
      Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
      Route: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'GET /' } },
    },
  };
}

describe('addCostAllocationTags (plugins/cost-allocation-tags)', () => {
  it("adds the tags in each type's format and keeps the tags a resource sets itself", () => {
    const tagged = template();
    addCostAllocationTags(tagged.Resources, tags);

    expect(tagged.Resources.Queue!.Properties!.Tags).toEqual([
      { Key: 'service', Value: 'intake' },
      { Key: 'stage', Value: 'prod' },
      { Key: 'team', Value: 'ops' },
    ]);
    expect(tagged.Resources.Table!.Properties!.Tags).toEqual([
      { Key: 'service', Value: 'intake' },
      { Key: 'stage', Value: 'prod' },
    ]);
    expect(tagged.Resources.Api!.Properties).toEqual({ Name: 'x', Tags: tags });
    expect(tagged.Resources.Pool!.Properties!.UserPoolTags).toEqual(tags);
    expect(tagged.Resources.Route!.Properties).toEqual({ RouteKey: 'GET /' });
  });

  it('a value the resource sets itself wins', () => {
    const resources = {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'stage', Value: 'x' }] } },
    };
    addCostAllocationTags(resources, tags);
    expect(tagsOf(resources.Queue)).toEqual({ service: 'intake', stage: 'x' });
  });

  it('the plugin tags the compiled template with provider.tags after the custom resources are merged', () => {
    const compiled = template();
    const serverless = { service: { provider: { tags, compiledCloudFormationTemplate: compiled } } };
    const plugin = new CostAllocationTags(serverless);
    plugin.hooks['after:aws:package:finalize:mergeCustomProviderResources']!();
    expect(costAllocationTagViolations(compiled, { stage: 'prod' })).toEqual([]);
  });

  it('the plugin adds nothing but empty tag lists when the provider has no tags', () => {
    const compiled = { Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } };
    new CostAllocationTags({
      service: { provider: { compiledCloudFormationTemplate: compiled } },
    }).tagResources();
    expect(compiled.Resources.Table).toEqual({ Type: 'AWS::DynamoDB::Table', Properties: { Tags: [] } });
  });
});

describe('costAllocationTagViolations (scripts/check-template.ts)', () => {
  it('accepts a template whose taggable resources all carry service and stage', () => {
    const tagged = template();
    addCostAllocationTags(tagged.Resources, tags);
    expect(costAllocationTagViolations(tagged, { stage: 'prod' })).toEqual([]);
    expect(costAllocationTagViolations(tagged)).toEqual([]);
  });

  it('names each taggable resource without the tags, and ignores types that take none', () => {
    expect(costAllocationTagViolations(template(), { stage: 'prod' })).toEqual([
      'Queue: cost-allocation tag service is undefined, not intake',
      'Queue: cost-allocation tag stage is undefined, not prod',
      'Table: cost-allocation tag service is undefined, not intake',
      'Table: cost-allocation tag stage is undefined, not prod',
      'Api: cost-allocation tag service is undefined, not intake',
      'Api: cost-allocation tag stage is undefined, not prod',
      'Pool: cost-allocation tag service is undefined, not intake',
      'Pool: cost-allocation tag stage is undefined, not prod',
    ]);
  });

  it('refuses another service or stage, and an empty stage when no stage is given', () => {
    const resources = {
      Other: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          Tags: [
            { Key: 'service', Value: 'billing' },
            { Key: 'stage', Value: 'dev' },
          ],
        },
      },
      Blank: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          Tags: [
            { Key: 'service', Value: 'intake' },
            { Key: 'stage', Value: '' },
          ],
        },
      },
    };
    expect(costAllocationTagViolations({ Resources: resources }, { stage: 'prod' })).toEqual([
      'Other: cost-allocation tag service is billing, not intake',
      'Other: cost-allocation tag stage is dev, not prod',
      'Blank: cost-allocation tag stage is , not prod',
    ]);
    expect(costAllocationTagViolations({ Resources: resources })).toEqual([
      'Other: cost-allocation tag service is billing, not intake',
      'Blank: cost-allocation tag stage is ',
    ]);
  });

  it('is one of the rules check-template runs', () => {
    expect(templateViolations({ Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } })).toContain(
      'Table: cost-allocation tag service is undefined, not intake',
    );
  });
});
