<?php
/*
 * test_policy.php -- policies: loading, validation, recommendations with
 * their reasons, progress and cancelling, the weekly plan.
 */

declare(strict_types=1);

require __DIR__ . '/harness.php';

use Clm\Model;
use Clm\Policy;
use Clm\Portfolio;
use Clm\Recommendation;

const POLICY_LOG = "customer_id,timestamp,type,value,model,channel,manager\n"
    . "a,2024-05-01,stage,presentation,sales6,,\n"
    . "a,2024-05-01,class,B,,,\n"
    . "a,2024-05-01,manager,Ann,,,\n"
    . "a,2024-05-20,contact,ok,,call,Ann\n"
    . "b,2024-05-01,stage,proposal,sales6,,\n"
    . "b,2024-05-01,manager,Bo,,,\n";

function sales(): Portfolio
{
    $p = new Portfolio();
    $p->addModel(Model::preset('sales6'));
    $p->importCsv(POLICY_LOG, 'log.csv');
    return $p;
}

test('load, rules, validation', function () {
    eq(\Clm\policyPresets()[0], 'seeds');
    $pol = Policy::load('seeds');
    eq($pol->id(), 'seeds');
    check(count($pol->rules()) >= 20, 'the seeds have twenty rules or more');
    eq(count(array_unique($pol->rules())), count($pol->rules()), 'rule ids are unique');
    $broken = "{\"id\": \"x\",\n \"rules\": [{\"id\": \"r\", \"when\": {\"fact\": \"mood\", \"op\": \">\", \"value\": 1},\n \"action\": {\"kind\": \"dance\"}}]}";
    $e = raises(\Clm\ValidationException::class, fn () => Policy::fromJson($broken));
    eq(count($e->problems), 2);
    $problems = Policy::validateJson($broken, 'p.json');
    eq(count($problems), 2);
    eq([$problems[0]->file, $problems[0]->line], ['p.json', 2]);
    eq(Policy::validateJson('{"id": "ok", "rules": []}'), []);
    raises(\Clm\IoException::class, fn () => Policy::load('/nonexistent/policy.json'));
    raises(\Clm\ParseException::class, fn () => Policy::fromJson('{"id": '));
    $pol->close();
    $pol->close();
    $e = raises(\LogicException::class, fn () => $pol->id());
    check(str_contains($e->getMessage(), 'closed Clm\Policy'), $e->getMessage());
});

test('typed lists: reasons as codes, the week, the funnel', function () {
    $p = sales();
    $pol = Policy::load('seeds');
    // Every action its own recommendation (perCustomer), so that class-b-online's reasons are its own.
    $recs = $pol->recommendList($p, '2024-06-10', perCustomer: 10);
    eq(count($recs), count($pol->recommend($p, '2024-06-10', perCustomer: 10)), 'as many as the JSON');
    $found = null;
    foreach ($recs as $r) {
        foreach ($r['reasons'] as $why) {
            if ($r['rule'] === 'class-b-online' && $why['id'] === 'days_since_contact') {
                $found = $why;
            }
        }
    }
    check($found !== null, "a's days_since_contact reason");
    eq([$found['actual'], $found['threshold'], $found['op'], $found['text']], [21.0, 7.0, '>=', 'days since last contact 21 >= 7']);
    $week = $pol->planWeekList($p, 'Ann', '2024-06-12');
    eq($week['capacity_minutes'], 2400.0);
    check(count($week['entries']) >= 1, 'an entry');
    $funnel = $p->funnelList('sales6', '2024-06-10');
    eq($funnel[0]['id'], 'presentation');
});

test('recommend: ranked, with the rule and its reasons', function () {
    $p = sales();
    $pol = Policy::load('seeds');
    // One merged action per customer, the others as its alternatives; perCustomer for more.
    $one = $pol->recommend($p, '2024-06-10');
    eq(count($one), 2, 'one per customer');
    foreach ($one as $r) {
        check($r->pWon !== null && $r->account === null && $r->scope === 'deal', 'p_won, account, scope');
        foreach ($r->alternatives as $alt) check($alt['action'] instanceof \Clm\Action && $alt['score'] <= $r->score, 'an alternative');
    }
    raises(\ValueError::class, fn () => $pol->recommend($p, '2024-06-10', perCustomer: -1));
    $all = $pol->recommend($p, '2024-06-10', perCustomer: 100);
    check(count($all) >= 2, 'recommendations for both customers');
    foreach ($all as $i => $r) {
        check($r instanceof Recommendation, 'a Recommendation');
        eq($r->rank, $i + 1, 'ranks are 1-based and in order');
        check($r->reasons !== [], "recommendation $i has reasons");
        check(in_array($r->rule, $pol->rules(), true), "rule {$r->rule} is a rule of the policy");
        eq($r->model, 'sales6');
        check(preg_match('/^\d{4}-\d{2}-\d{2}$/', $r->action->due) === 1, 'a due date');
    }
    $b = array_values(array_filter($all, fn (Recommendation $r) => $r->rule === 'class-b-online'));
    eq(count($b), 1, 'the class B cadence fires for a');
    eq([$b[0]->customerId, $b[0]->manager, $b[0]->customerClass, $b[0]->stage], ['a', 'Ann', 'B', 'presentation']);
    check(in_array('days since last contact 21 >= 7', $b[0]->reasons, true), implode('; ', $b[0]->reasons));
    // options
    $bo = $pol->recommend($p, new \DateTimeImmutable('2024-06-10'), manager: 'Bo', limit: 1, threads: 2);
    eq(count($bo), 1);
    eq($bo[0]->customerId, 'b');
    eq($pol->recommend($p, '2024-06-10', manager: 'Nobody'), []);
    raises(\ValueError::class, fn () => $pol->recommend($p, '2024-06-10', limit: -1));
    raises(\Clm\InvalidArgumentException::class, fn () => $pol->recommend($p, '2024-06-31'));
    // one customer
    $a = $pol->recommendCustomer($p, 'a', '2024-06-10');
    check($a !== [] && $a[0]->customerId === 'a' && $a[0]->reasons !== [], 'a\'s recommendations');
    raises(\Clm\NotFoundException::class, fn () => $pol->recommendCustomer($p, 'zz', '2024-06-10'));
});

test('recommend: progress, cancel, and an exception in the callback', function () {
    $p = sales();
    $pol = Policy::load('seeds');
    $seen = [];
    $pol->recommend($p, '2024-06-10', progress: function (int $done, int $total) use (&$seen) {
        $seen[] = "$done/$total";
    });
    eq($seen[0], '0/2');
    eq($seen[count($seen) - 1], '2/2');
    $e = raises(\Clm\CancelledException::class, fn () => $pol->recommend($p, '2024-06-10', progress: fn () => true));
    eq($e->getPrevious(), null);
    $e = raises(\Clm\CancelledException::class,
        fn () => $pol->recommend($p, '2024-06-10', progress: fn () => throw new \DomainException('bar broke')));
    check($e->getPrevious() instanceof \DomainException && $e->getPrevious()->getMessage() === 'bar broke',
        'the callback\'s exception is the previous one');
    // many calls with a progress callback: one C callback for them all
    $before = memory_get_usage();
    for ($i = 0; $i < 300; $i++) {
        $pol->recommend($p, '2024-06-10', limit: 1, progress: fn () => false);
    }
    check(memory_get_usage() - $before < 65536, 'progress callbacks do not pile up');
});

test('planWeek', function () {
    $p = sales();
    $pol = Policy::load('seeds');
    $plan = $pol->planWeek($p, 'Ann', '2024-06-12');
    eq([$plan->manager, $plan->weekStart], ['Ann', '2024-06-10']);
    check($plan->capacityMinutes > 0, 'a capacity');
    $sum = array_sum(array_map(fn ($a) => $a->minutes, $plan->planned));
    check(abs($sum - $plan->plannedMinutes) < 1e-6, 'planned minutes add up');
    foreach ($plan->planned as $item) {
        eq($item->recommendation->customerId, 'a', 'only Ann\'s customers');
        check($item->day >= '2024-06-10' && $item->day <= '2024-06-16', "day {$item->day} in the week");
    }
    foreach ($plan->classes as $c) {
        check($c->usedMinutes <= $c->budgetMinutes + 1e-6, "class {$c->customerClass} within its share");
    }
    $short = $pol->planWeek($p, 'Ann', '2024-06-12', hours: 0.1);
    check(count($short->notFitted) > 0 && $short->notFitted[0]->reason !== '', 'what did not fit, and why');
    raises(\Clm\InvalidArgumentException::class, fn () => $pol->planWeek($p, 'Ann', '2024-06-12', 500));
});

test('the report lists a policy\'s top recommendations', function () {
    $p = sales();
    $html = $p->reportHtml('sales6', '2024-06-10', null, Policy::load('seeds'));
    check(str_contains($html, 'class-b-online'), 'the recommendations section names the rule');
    check(!str_contains($p->reportHtml('sales6', '2024-06-10'), 'class-b-online'), 'without a policy, no such section');
});

finish();
