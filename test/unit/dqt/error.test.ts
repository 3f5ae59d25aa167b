import { describe, expect, it } from 'vitest';
import { DqtError, parseDqtErrorMessage } from '../../../lib/dqt/error.js';
import { retryAfterMs } from '../../../lib/dqt/client.js';

describe('DqtError', () => {
  it('keeps Register\'s message and carries status, errorCode, title and the validation map', () => {
    const body = '{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"qualification.providerUkprn":["Organisation not found"]},"traceId":"00-1"}';
    const e = new DqtError(400, body);
    expect(e.message).toBe(`status: 400, body: ${body}`);
    expect(e.name).toBe('Dqt::Client::HttpError');
    expect(e).toMatchObject({ status: 400, errorCode: null, title: 'One or more validation errors occurred.', body, kind: 'http' });
    expect(e.errors).toEqual({ 'qualification.providerUkprn': ['Organisation not found'] });
    expect(e.validationMessages).toEqual(['qualification.providerUkprn: Organisation not found']);
    expect(String(e.stack).split('\n')[0]).toBe(`Dqt::Client::HttpError: status: 400, body: ${body}`);
  });

  it('explains 401, 403 and 5xx in words', () => {
    expect(new DqtError(401, '').explanation).toContain('DQT_API_KEY is wrong, expired or missing');
    expect(new DqtError(403, '').explanation).toContain('lacks the role');
    expect(new DqtError(500, '').explanation).toContain('usually succeed when run again');
  });
});

describe('parseDqtErrorMessage', () => {
  it('reads our messages and Register\'s (with ", headers: {...}")', () => {
    expect(parseDqtErrorMessage('status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}')).toEqual({
      status: 400, errorCode: 10006, title: 'Teacher has no QTS record', errors: {}, body: '{"title":"Teacher has no QTS record","status":400,"errorCode":10006}',
    });
    const register = 'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}, headers: {"content-type"=>["application/problem+json"]}';
    expect(parseDqtErrorMessage(register)).toMatchObject({ status: 404, errorCode: 10001, body: '{"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}' });
    expect(parseDqtErrorMessage('status: 400, body: {"initialTeacherTraining.programmeType":["Teacher already has QTS/EYTS date"]}')!.errors).toEqual({
      'initialTeacherTraining.programmeType': ['Teacher already has QTS/EYTS date'],
    });
    expect(parseDqtErrorMessage('status: 500, body: ')).toMatchObject({ status: 500, body: '', errorCode: null });
    expect(parseDqtErrorMessage('Cannot update trainee on DQT without a trn (id: 5)')).toBeNull();
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates; null when absent or unreadable', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs(undefined)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
