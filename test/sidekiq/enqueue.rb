# frozen_string_literal: true

# Enqueues jobs with ActiveJob's own perform_later, as Register's code does, onto the Redis in REDIS_URL.
# Reads a JSON array on stdin: [{"job": "Dqt::UpdateTraineeJob", "args": [{"gid": "Trainee/201"}]}, ...], where an
# argument is {"gid": "<Model>/<id>"} (a record), {"time": "<ISO time>"} (a TimeWithZone in UTC), {"kwargs": {...}}
# (keyword arguments) or a plain JSON value. Prints one JSON line per job: {"job_id": ..., "jid": ...}.

require_relative "app"

def argument(value)
  return value unless value.is_a?(Hash)

  if value.key?("gid")
    model, id = value["gid"].split(/\/(?=\d+\z)/)
    return Object.const_get(model).new(Integer(id))
  end
  return Time.zone.parse(value["time"]) if value.key?("time")

  value.transform_values { |v| argument(v) }
end

JSON.parse($stdin.read).each do |spec|
  klass = Object.const_get(spec.fetch("job"))
  positional = spec.fetch("args", []).reject { |a| a.is_a?(Hash) && a.key?("kwargs") }.map { |a| argument(a) }
  kwargs = spec.fetch("args", []).find { |a| a.is_a?(Hash) && a.key?("kwargs") }&.fetch("kwargs")&.transform_keys(&:to_sym)
  job = kwargs ? klass.perform_later(*positional, **kwargs.transform_values { |v| argument(v) }) : klass.perform_later(*positional)
  puts JSON.generate(job_id: job.job_id, jid: job.provider_job_id)
end
