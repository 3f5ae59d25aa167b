# frozen_string_literal: true

# Register's production clean-up of the dead set (Sidekiq::RemoveDeadDuplicatesJob, every 5 minutes), run here through
# the real Sidekiq API so the tests can compare it with what the toolkit's triage marks: walk the dead set newest first
# and delete each job whose (first part of the error message before a comma, display class, last part of the first
# argument's GlobalID) was already seen. Prints the deleted jids, one per line; when the real job would raise (a dead
# member it cannot dig into), prints "raised <class>: <message>" and stops there, as the cron job does.

require "set"
require_relative "app"
require "sidekiq/api"

# Register's Hashable#deep_dig: the first value of `key` in a depth-first walk, hashes checked before their children.
def first_value_of(tree, key)
  pending = [tree]
  seen = Set.new
  until pending.empty?
    node = pending.pop
    next if seen.include?(node)

    seen << node
    case node
    when Hash
      return node[key] if node.key?(key)

      pending.concat(node.values)
    when Array
      pending.concat(node)
    end
  end
  nil
end

kept = Set.new
begin
Sidekiq::DeadSet.new.each do |entry|
  prefix = entry.item["error_message"]&.split(",")&.first
  record = first_value_of(entry.args.dig(0, "arguments", 0), "_aj_globalid")&.split("/")&.last
  next unless prefix && record

  key = [prefix, entry.display_class, record].join
  if kept.include?(key)
    puts entry.jid
    entry.delete
  else
    kept << key
  end
end
rescue TypeError, NoMethodError => e
  puts "raised #{e.class}: #{e.message.lines.first.chomp}"
end
