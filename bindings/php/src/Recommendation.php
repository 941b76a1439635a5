<?php

declare(strict_types=1);

namespace Clm;

/**
 * One ranked next action with its explanation.
 *
 * $rank is 1-based (0 inside a WeekPlan, which orders by day); $score =
 * priority x class weight x urgency x value x p_won (each in $scoreFactors);
 * $reasons are the facts that matched (of every rule merged into the action:
 * $mergedRules), $rule the rule that fired and $why its description; $task is
 * the stage task. $account is the customer's account (null without one),
 * $scope 'deal' or 'account', $pWon the deal's probability of being won (null
 * where its model has no won stage), $alternatives the customer's other
 * actions, each ['rule' => ..., 'action' => Action, 'reasons' => [...], 'score' => float].
 */
final class Recommendation
{
    /**
     * @param list<string> $reasons
     * @param array<string, float|null> $scoreFactors
     * @param list<string> $mergedRules
     * @param list<array{rule: string, action: Action, reasons: list<string>, score: float}> $alternatives
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
        public readonly ?string $account = null,
        public readonly string $scope = 'deal',
        public readonly ?float $pWon = null,
        public readonly array $scoreFactors = [],
        public readonly array $mergedRules = [],
        public readonly array $alternatives = [],
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
            $j['account'] ?? null,
            $j['scope'] ?? 'deal',
            isset($j['p_won']) ? (float) $j['p_won'] : null,
            $j['score_factors'] ?? [],
            array_values($j['merged_rules'] ?? []),
            array_map(fn (array $a) => ['rule' => $a['rule'], 'action' => Action::fromJson($a['action']),
                'reasons' => array_values($a['reasons']), 'score' => (float) $a['score']], $j['alternatives'] ?? []),
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
