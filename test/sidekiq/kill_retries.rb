# frozen_string_literal: true

# Kills every job in the retry set through the real Sidekiq API (what the Web UI's "Kill All" does): Sidekiq itself
# moves each to the dead set. Prints how many it killed.

require_relative "app"
require "sidekiq/api"

retries = Sidekiq::RetrySet.new
count = retries.size
retries.kill_all
puts count
