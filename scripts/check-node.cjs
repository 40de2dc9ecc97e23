'use strict';
// Preflight for `npm ci`, `npm start` and `npm test`: one clear line instead of a stack trace from deep
// inside a dependency (middy 7, file-type 22 and fauxqs 2 need Node 22; npm >= 10.9 already stops at
// package.json's devEngines, older npm only here). Plain old JavaScript, so it runs on any Node.
var MINIMUM = [22, 15];

/**
 * True for Node 22.15 and later: 22.12 requires ES modules unflagged (middy 7, file-type 22), 22.13 has
 * node:sqlite without a flag (fauxqs 2), 22.15 has module.registerHooks (test/helpers/middy-under-tsx.ts).
 */
function isSupportedNode(version) {
  var parts = String(version).replace(/^v/, '').split('.').map(Number);
  return parts[0] > MINIMUM[0] || (parts[0] === MINIMUM[0] && parts[1] >= MINIMUM[1]);
}

function unsupportedNodeMessage(version) {
  return (
    'intake needs Node 24 (or 22.15+); this is Node ' +
    version +
    '. Install Node 24 with your version manager (`nvm install` reads .nvmrc): see the README, Prerequisites.'
  );
}

if (require.main === module && !isSupportedNode(process.versions.node)) {
  console.error(unsupportedNodeMessage(process.versions.node));
  process.exit(1);
}

module.exports = { isSupportedNode, unsupportedNodeMessage };
