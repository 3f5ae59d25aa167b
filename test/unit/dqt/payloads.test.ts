import { describe, expect, it } from 'vitest';
import type { Degree, Trainee } from '../../../lib/db/schema.js';
import { awardBody, genderCode, trnRequestBody, updateBody, updateOutcome, withdrawalBody } from '../../../lib/dqt/payloads.js';
import { institutionUkprn } from '../../../lib/dqt/institutions.js';

const trainee = (over: Partial<Trainee> = {}): Trainee =>
  ({
    id: 7,
    slug: 'AbCdEfGhJkLmNpQrStUvWxYz',
    state: 2,
    training_route: 1, // provider_led_postgrad
    trn: '3012201',
    date_of_birth: '1994-02-11',
    email: 'aisha.bello@example.com',
    first_names: 'Aisha Grace',
    middle_names: null,
    last_name: 'Bello',
    sex: 1,
    hesa_id: null,
    itt_start_date: '2024-09-02',
    itt_end_date: '2025-07-18',
    course_subject_one: 'mathematics',
    course_subject_two: 'Physics',
    course_subject_three: 'underwater basket weaving',
    course_min_age: 11,
    course_max_age: 16,
    outcome_date: '2025-06-18',
    ...over,
  }) as Trainee;

const degree = (over: Partial<Degree> = {}): Degree =>
  ({
    id: 1,
    trainee_id: 7,
    locale_code: 0,
    uk_degree: 'Bachelor of Science',
    institution_uuid: '4271f34a-2887-e711-80d8-005056ac45bb', // University of Warwick
    graduation_year: 2016,
    grade: 'Upper second-class honours (2:1)',
    ...over,
  }) as Degree;

const provider = { ukprn: '10099001' };

describe('payloads, as app/lib/dqt/params/*.rb build them', () => {
  it('register for TRN: top-level nulls dropped, address all null, slugid/husid lower case, degree UKPRN looked up', () => {
    expect(trnRequestBody({ trainee: trainee(), provider, degree: degree() })).toEqual({
      firstName: 'Aisha Grace',
      lastName: 'Bello',
      birthDate: '1994-02-11',
      emailAddress: 'aisha.bello@example.com',
      address: { addressLine1: null, addressLine2: null, addressLine3: null, city: null, postalCode: null, country: null },
      genderCode: 'Female',
      initialTeacherTraining: {
        providerUkprn: '10099001',
        programmeStartDate: '2024-09-02',
        programmeEndDate: '2025-07-18',
        programmeType: 'ProviderLedPostgrad',
        subject1: '100403',
        subject2: '100425',
        subject3: null,
        ageRangeFrom: 11,
        ageRangeTo: 16,
        ittQualificationAim: null,
        ittQualificationType: null,
        trainingCountryCode: null,
      },
      qualification: { providerUkprn: '10007163', countryCode: 'XK', subject: null, class: 'UpperSecondClassHonours', date: '2016-01-01', heQualificationType: null },
      slugid: 'AbCdEfGhJkLmNpQrStUvWxYz',
    });
  });

  it('no qualification without a degree or for a foundation degree; estimated end date when none', () => {
    expect(trnRequestBody({ trainee: trainee(), provider, degree: null })).not.toHaveProperty('qualification');
    expect(trnRequestBody({ trainee: trainee(), provider, degree: degree({ uk_degree: 'Foundation Degree in Arts' }) })).not.toHaveProperty('qualification');
    const body = trnRequestBody({ trainee: trainee({ itt_end_date: null }), provider }) as { initialTeacherTraining: { programmeEndDate: string } };
    expect(body.initialTeacherTraining.programmeEndDate).toBe('2025-09-02');
  });

  it('update: nulls kept, outcome by state and route, PII only when DQT allows it', () => {
    const body = updateBody({ trainee: trainee(), provider, degree: null, allowPiiUpdates: false });
    expect(Object.keys(body)).toEqual(['trn', 'husid', 'qualification', 'initialTeacherTraining']);
    expect(body).toMatchObject({ trn: '3012201', husid: null, qualification: null, initialTeacherTraining: { outcome: 'InTraining' } });
    const withPii = updateBody({ trainee: trainee({ sex: 4 }), provider, degree: null, allowPiiUpdates: true });
    expect(withPii).toMatchObject({ firstName: 'Aisha Grace', middleName: null, lastName: 'Bello', emailAddress: 'aisha.bello@example.com', genderCode: 'NotProvided', dateOfBirth: '1994-02-11' });
    expect(updateOutcome({ state: 5, training_route: 1 })).toBe('Deferred');
    expect(updateOutcome({ state: 1, training_route: 0 })).toBe('UnderAssessment');
    expect(updateOutcome({ state: 3, training_route: 1 })).toBeUndefined();
    expect(updateBody({ trainee: trainee({ state: 3 }), provider, allowPiiUpdates: false }).initialTeacherTraining).not.toHaveProperty('outcome');
  });

  it('award and withdrawal bodies are exactly Register\'s', () => {
    expect(awardBody({ trainee: trainee(), provider })).toEqual({ ittProviderUkprn: '10099001', outcome: 'Pass', assessmentDate: '2025-06-18' });
    expect(withdrawalBody({ trainee: trainee(), provider })).toEqual({ ittProviderUkprn: '10099001', outcome: 'Withdrawn' });
  });

  it('genderCode maps every sex; institution UKPRN is null when unknown', () => {
    expect([0, 1, 2, 3, 4, null].map(genderCode)).toEqual(['Male', 'Female', 'Other', 'NotAvailable', 'NotProvided', null]);
    expect(institutionUkprn('5c9e1d2d-3fa2-e811-812b-5065f38ba241')).toBe('10007773');
    expect(institutionUkprn('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
