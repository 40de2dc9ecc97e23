import { AppError } from '../errors';

/** No document with this id (never issued, deleted, or not an id at all): 404. */
export class DocumentNotFoundError extends AppError {
  constructor(id: string) {
    super('DOCUMENT_NOT_FOUND', `No document with id ${JSON.stringify(id.slice(0, 64))}`, 404, false);
  }
}
