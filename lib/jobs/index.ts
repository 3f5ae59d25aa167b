/** Jobs: Register's queues and DQT/TRS/Apply jobs on BullMQ, their processors, workers and the dead set. */
export { QUEUE_NAMES, JOB_NAMES, DQT_JOB_NAMES, TRS_JOB_NAMES, APPLY_JOB_NAMES, JOB_SETTINGS, JOB_POLLING, type JobName, type TrsJobName, type QueueName, type JobSettings } from './names.js';
export { traineeGlobalId, trnRequestGlobalId, trsTrnRequestGlobalId, traineeIdOf, parseJobData, JOB_DATA_SCHEMAS, type GlobalId, type JobData } from './data.js';
export { JobQueues, openJobQueues, buildJobData, jobOptions, type EnqueueArgs, type EnqueueOptions, type RedisSettings } from './queues.js';
export { runJob, JobTimedOut, type JobContext } from './processors.js';
export { startJobWorkers, type JobWorkers, type JobWorkersOptions } from './worker.js';
export { deadJobs, toDeadJob, errorClassOf, type DeadJob } from './dead.js';
export { seedDqtDeadSet, dqtDeadSetSeedHook } from './seed-dead-set.js';
export { seedTrsDeadSet, trsDeadSetSeedHook } from './seed-trs-dead-set.js';
export { TrsRetrieveTrnTimedOut, TRS_RETRIEVE_TRN_TIMEOUT_CLASS, type TrsJobContext } from './trs-processors.js';
export { updateTraineeAudited, JOB_AUDIT_USERNAME } from './audit.js';
