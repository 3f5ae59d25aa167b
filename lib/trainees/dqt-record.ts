import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { createDqtClient } from '../dqt/client.js';
import type { DqtTeacher } from '../dqt/schemas.js';
import { callout, showTable } from '../notebook/display.js';
import { redactSecrets } from '../notebook/redact.js';
import { traineeForFix } from './lookup.js';

/**
 * Shows what DQT holds for a trainee with a TRN (QTS and EYTS dates, each ITT record and its result), so the operator
 * can see what must be corrected in DQT as well. Reads only; if DQT cannot be reached or does not know the TRN, says
 * so in a call-out and returns null instead of failing the runbook.
 *
 * @example
 * await showDqtRecord(db, config, slug);
 */
export async function showDqtRecord(db: RegisterDb, config: Pick<Config, 'dqt'>, slug: string): Promise<DqtTeacher | null> {
  const trainee = await traineeForFix(db, slug);
  if (!trainee.trn) {
    callout('info', `Trainee ${trainee.slug} has no TRN: DQT holds no record to read by TRN.`, 'DQT');
    return null;
  }
  const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, timeoutMs: 5_000 });
  try {
    const teacher = await dqt.retrieveTeacher(trainee);
    showTable([{ trn: teacher.trn, qtsDate: teacher.qtsDate, eytsDate: teacher.eytsDate, earlyYearsStatus: teacher.earlyYearsStatus?.name ?? null, hasActiveSanctions: teacher.hasActiveSanctions }], {
      caption: `What DQT holds for TRN ${trainee.trn}`,
    });
    showTable(
      teacher.initialTeacherTraining.map((itt) => ({ ...itt })),
      { caption: 'Its initial teacher training records' },
    );
    return teacher;
  } catch (error) {
    callout('warn', redactSecrets(`Could not read DQT's record for TRN ${trainee.trn}: ${(error as Error).message}`), 'DQT not read');
    return null;
  } finally {
    await dqt.close().catch(() => undefined);
  }
}
