# frozen_string_literal: true

# A small Ruby app the tests run under Debian's real Sidekiq (ruby-sidekiq 6.4.1, ruby-activejob 6.1), so the toolkit
# is proven against genuine retry and dead entries. Its ActiveJob classes carry Register's names, queues and retry
# options (Dqt:: from the DQT era, Trs:: from HEAD); their arguments are GlobalIDs of Register's models under Register's
# GlobalID app name. A job fails, the way Register's services raise, when the test has set a behaviour for it in
# `test:behaviour`; otherwise it succeeds and records what it performed in `test:performed`.
#
#   REDIS_URL=redis://127.0.0.1:6379/12 sidekiq -r ./test/sidekiq/app.rb -q dqt -q trs -q default
#
# Behaviour (a JSON object in the hash `test:behaviour`, field "<job class>/<record gid path>", e.g.
# "Dqt::UpdateTraineeJob/Trainee/201"):
#   {"raise": "Dqt::Client::HttpError", "status": 500, "body": ""}   => "status: 500, body: , headers: {...}"
#   {"raise": "Dqt::TraineeUpdate::TraineeUpdateMissingTrn", "message": "Cannot update trainee on DQT without a trn (id: 209)"}
#   {"raise": "Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError", "status": 400, "body": "{...}"}
#        => "Error updating professional status: status: 400, body: {...}, headers: {...}"
#   {"sleep": 0.05} (then succeed), or "sleep" with "raise" (then fail)
# A field "*/<record gid path>" applies to every job class.

require "json"
require "time"
require "sidekiq"
require "active_support/time"
require "active_job"
require "active_job/queue_adapters/sidekiq_adapter"
require "global_id"

GlobalID.app = "register-trainee-teachers"
Time.zone_default = Time.find_zone!("UTC")
ActiveJob::Base.queue_adapter = :sidekiq
ActiveJob::Base.logger = Logger.new(IO::NULL)
# Outside Rails, sidekiq_options on an ActiveJob class needs this (Sidekiq's Rails engine does it in Register).
ActiveJob::Base.include Sidekiq::Worker::Options
# Retries wait an hour, so a job with retries left stays in the retry set while a test looks at it (the retry set's
# score is then now + 3600 + jitter; every other field is Sidekiq's own).
ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper.sidekiq_retry_in { |_count, _exception| 3600 }

Sidekiq.configure_server do |config|
  config.options[:dead_max_jobs] = Integer(ENV.fetch("SIDEKIQ_DEAD_MAX_JOBS", "10000"))
  config.options[:average_scheduled_poll_interval] = 1
end

# Register's models, as far as GlobalID needs them: `find` returns the record, or raises for ids the test deleted.
class TestRecord
  include GlobalID::Identification
  attr_reader :id

  def initialize(id)
    @id = id
  end

  def self.find(id)
    deleted = Sidekiq.redis { |conn| conn.sismember("test:deleted", "#{name}/#{id}") }
    raise ArgumentError, "Couldn't find #{name} with 'id'=#{id}" if deleted

    new(Integer(id))
  end
end

class Trainee < TestRecord; end

module Dqt
  class TrnRequest < TestRecord; end

  module Client
    class HttpError < StandardError; end
  end

  module TraineeUpdate
    class TraineeUpdateMissingTrn < StandardError; end
  end

end

module Trs
  class TrnRequest < TestRecord; end

  module Client
    class HttpError < StandardError; end
  end

  module UpdateProfessionalStatus
    class ProfessionalStatusUpdateError < StandardError; end
    class ProfessionalStatusUpdateMissingTrn < StandardError; end
  end

  module UpdatePersonalData
    class PersonUpdateError < StandardError; end
  end
end

# What the job does: fail as the test asked, or record the run.
module TestBehaviour
  PREFIXES = {
    "Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError" => "Error updating professional status: ",
    "Trs::UpdatePersonalData::PersonUpdateError" => "Error updating personal data: ",
  }.freeze

  def run(*args)
    record = args.find { |a| a.respond_to?(:to_global_id) }
    path = record ? "#{record.class.name}/#{record.id}" : "none"
    spec = Sidekiq.redis { |conn| conn.hget("test:behaviour", "#{self.class.name}/#{path}") || conn.hget("test:behaviour", "*/#{path}") }
    spec = JSON.parse(spec) if spec
    sleep(spec["sleep"]) if spec&.key?("sleep")
    fail_as(spec) if spec&.key?("raise")

    performed = {
      job_class: self.class.name,
      job_id: job_id,
      jid: provider_job_id,
      queue: queue_name,
      executions: executions,
      arguments: args.map { |a| describe(a) },
    }
    Sidekiq.redis { |conn| conn.rpush("test:performed", JSON.generate(performed)) }
  end

  private

  def describe(value)
    case value
    when TestRecord then { "record" => value.to_global_id.to_s }
    when ActiveSupport::TimeWithZone, Time then { "time" => value.utc.iso8601(3), "zone" => value.respond_to?(:time_zone) ? value.time_zone.tzinfo.name : nil }
    when Hash then value.transform_keys(&:to_s).transform_values { |v| describe(v) }
    when Array then value.map { |v| describe(v) }
    when Symbol then { "symbol" => value.to_s }
    else value
    end
  end

  # Register builds an HTTP error's message as "status: <code>, body: <raw>, headers: <HTTParty headers hash>".
  def fail_as(spec)
    klass = Object.const_get(spec.fetch("raise"))
    message =
      if spec.key?("status")
        headers = { "date" => [Time.now.utc.httpdate], "content-type" => ["application/problem+json; charset=utf-8"] }
        "#{PREFIXES.fetch(klass.name, '')}status: #{spec['status']}, body: #{spec['body']}, headers: #{headers}"
      else
        spec.fetch("message")
      end
    raise klass, message
  end
end

class ApplicationJob < ActiveJob::Base
  include TestBehaviour
end

module Dqt
  class BaseJob < ApplicationJob
    sidekiq_options retry: 10
  end

  class UpdateTraineeJob < BaseJob
    sidekiq_options retry: 0
    queue_as :dqt
    def perform(trainee) = run(trainee)
  end

  class RecommendForAwardJob < BaseJob
    queue_as :dqt
    def perform(trainee) = run(trainee)
  end

  class WithdrawTraineeJob < BaseJob
    sidekiq_options retry: 0
    queue_as :dqt
    def perform(trainee, timeout_after = nil) = run(trainee, timeout_after)
  end

  class RegisterForTrnJob < BaseJob
    sidekiq_options retry: 0
    queue_as :dqt
    def perform(trainee) = run(trainee)
  end

  class RetrieveTrnJob < BaseJob
    # The toolkit's name for a poll that gave up (Register only sent a notice).
    class Timeout < StandardError; end
    queue_as :dqt
    def perform(trn_request, timeout_after = nil) = run(trn_request, timeout_after)
  end
end

module Trs
  class BaseJob < ApplicationJob
    sidekiq_options retry: 10
  end

  class UpdateProfessionalStatusJob < ApplicationJob
    queue_as :trs
    def perform(trainee) = run(trainee)
  end

  class UpdateTraineeJob < ApplicationJob
    sidekiq_options retry: 0
    queue_as :trs
    def perform(trainee) = run(trainee)
  end

  class RegisterForTrnJob < ApplicationJob
    sidekiq_options retry: 0
    queue_as :trs
    def perform(trainee) = run(trainee)
  end

  class RetrieveTrnJob < BaseJob
    # The toolkit's name for a poll that gave up (Register only sends a notice).
    class Timeout < StandardError; end
    queue_as :trs
    def perform(trn_request, timeout_after = nil) = run(trn_request, timeout_after)
  end
end

# A job Register does not have: the toolkit must show it as an unknown class, not crash.
class SomethingElseJob < ApplicationJob
  sidekiq_options retry: 0
  queue_as :default
  def perform(*args) = run(*args)
end
