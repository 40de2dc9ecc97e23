'use strict';
class LocalStackPlugin {
  constructor() {
    this.hooks = {};
  }
}
module.exports = LocalStackPlugin;
