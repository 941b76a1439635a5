<?php

declare(strict_types=1);

namespace Clm;

/**
 * One ranked next action with its explanation.
 *
 * $rank is 1-based (0 inside a WeekPlan, which orders by day); $score =
 * priority x class weight x urgency x value; $reasons are the facts that
 * matched, $rule the rule that fired and $why its description; $task is the
 * stage task.
 */
final class Recommendation
{
    /**
     * @param list<string> $reasons
     */
    public function __construct(
        public readonly int $rank,
        public readonly string $customerId,
        public readonly string $manager,
        public readonly string $customerClass,
        public readonly ?string $model,
        public readonly ?string $stage,
        public readonly string $rule,
        public readonly Action $action,
        public readonly float $priority,
        public readonly float $score,
        public readonly float $urgency,
        public readonly float $value,
        public readonly array $reasons,
        public readonly string $task,
        public readonly string $why,
    ) {
    }

    /** @internal From one object of the recommendation JSON (docs/policy-format.md). */
    public static function fromJson(array $j): self
    {
        return new self(
            (int) ($j['rank'] ?? 0),
            $j['customer_id'],
            $j['manager'],
            $j['class'],
            $j['model'] ?? null,
            $j['stage'] ?? null,
            $j['rule'],
            Action::fromJson($j['action']),
            (float) $j['priority'],
            (float) $j['score'],
            (float) $j['urgency'],
            (float) $j['value'],
            array_values($j['reasons']),
            $j['task'],
            $j['why'],
        );
    }

    /**
     * @internal The `recommendations` of a recommend answer.
     * @return list<Recommendation>
     */
    public static function listFromJson(string $text): array
    {
        return array_map(self::fromJson(...), Library::json($text)['recommendations']);
    }
}
