import { loadDocumentSettings } from '../../../src/documents/settings';

describe('inspection settings', () => {
  it('quarantine polyglots and PDF code (JavaScript, JS, Launch, RichMedia, XFA) by default', () => {
    expect(loadDocumentSettings({}).policy).toMatchObject({
      allowTrailingData: false,
      quarantinedPdfActiveContent: ['JavaScript', 'JS', 'Launch', 'RichMedia', 'XFA'],
    });
  });

  it('read DOCUMENTS_ALLOW_TRAILING_DATA and DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT (none = list only)', () => {
    expect(
      loadDocumentSettings({
        DOCUMENTS_ALLOW_TRAILING_DATA: 'true',
        DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT: 'OpenAction, EmbeddedFile',
      }).policy,
    ).toMatchObject({ allowTrailingData: true, quarantinedPdfActiveContent: ['OpenAction', 'EmbeddedFile'] });
    expect(
      loadDocumentSettings({ DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT: 'none' }).policy
        .quarantinedPdfActiveContent,
    ).toEqual([]);
  });

  it('name each invalid value', () => {
    expect(() =>
      loadDocumentSettings({
        DOCUMENTS_ALLOW_TRAILING_DATA: 'yes',
        DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT: 'Macro',
      }),
    ).toThrow(
      /DOCUMENTS_ALLOW_TRAILING_DATA is invalid[\s\S]*DOCUMENTS_QUARANTINE_PDF_ACTIVE_CONTENT is invalid/,
    );
  });
});
