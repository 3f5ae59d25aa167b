/** Lead partner fixes (playbook "Lead partners"): each builds a Plan from checked input (see lib/plan). */
export * from './convert-provider-to-lead-partner.js';
export * from './school-to-lead-partner.js';
