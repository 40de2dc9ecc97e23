import { AppError } from '../errors';

/** No document with this id (never issued, deleted, or not an id at all): 404. */
export class DocumentNotFoundError extends AppError {
  constructor(id: string) {
    super('DOCUMENT_NOT_FOUND', `No document with id ${JSON.stringify(id.slice(0, 64))}`, 404, false);
  }
}

/** The upload request itself is refused before anything is signed (e.g. EXTENSION_NOT_ALLOWED): 400. */
export class UploadRefusedError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 400, false);
  }
}
