import { consolePage } from 'intake:console-page';
import { consolePageResponder } from '../src/console/page-response';
import { httpHandler } from '../src/middleware/http';

// Built once at init: the page, its CSP hashes and its ETag never change within a deployment.
const respond = consolePageResponder(consolePage);

/** GET /console: the operator console's page (public: it holds no data; its API needs the admin scope). */
export const handler = httpHandler(async (event) => respond(event.headers?.['if-none-match']));
