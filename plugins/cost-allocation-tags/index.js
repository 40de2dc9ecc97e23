'use strict';
/*
 * Puts serverless.yml's provider.tags (the cost-allocation tags: service and stage) on every taggable
 * resource of the packaged template — osls tags only the functions and the HTTP API, and the resources of
 * `resources:` carry none — right after the framework merges those resources in, before the template is
 * saved (so `sls package` shows them and `sls deploy` deploys them). serverless/cost-allocation-tags.js
 * lists the types and their tag formats; scripts/check-template.ts checks the result.
 */
const { addCostAllocationTags } = require('../../serverless/cost-allocation-tags');

class CostAllocationTags {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.tagResources(),
    };
  }

  tagResources() {
    const { provider } = this.serverless.service;
    addCostAllocationTags(provider.compiledCloudFormationTemplate.Resources, provider.tags ?? {});
  }
}

module.exports = CostAllocationTags;
