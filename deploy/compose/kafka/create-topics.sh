#!/bin/bash
# Creates the pipeline's topics (schemas' Topics.java: <prefix>parking, camera, deadletters,
# violations, workorders, actions) when they are missing; existing ones are left as they are.
# The bridge requires them to exist at start; work orders are compacted (latest state per id).
set -euo pipefail
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
prefix="${TOPIC_PREFIX:-streetsense.}"
partitions="${TOPIC_PARTITIONS:-4}"
topics=/opt/kafka/bin/kafka-topics.sh
for name in parking camera deadletters violations actions workorders; do
  extra=()
  [[ "$name" == workorders ]] && extra=(--config cleanup.policy=compact)
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$prefix$name" \
    --partitions "$partitions" --replication-factor 1 "${extra[@]}"
done
"$topics" --bootstrap-server "$bootstrap" --describe --topic "${prefix}workorders"
