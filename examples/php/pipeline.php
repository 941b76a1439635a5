<?php
/*
 * pipeline.php -- a CRM's sales pipeline from PHP, the language most open-source
 * CRMs are written in (clm's FFI binding, bindings/php).
 *
 * 1. Load the six sales steps (the `sales6` preset).
 * 2. Record a few deals as a CRM would, event by event, as it saves them.
 * 3. Ask the `seeds` policy what each manager should do next, and why.
 * 4. Print the funnel: where the deals stand, where they were lost.
 *
 *   CLM_LIBRARY=build/libclm.so php examples/php/pipeline.php [--as-of 2024-06-03]
 *
 * Guide: docs/getting-started-php.md
 */

declare(strict_types=1);

// From a checkout; an installed binding is share/clm/php/autoload.php, or Composer's autoloader.
require __DIR__ . '/../../bindings/php/autoload.php';

use Clm\ClmException;
use Clm\Event;
use Clm\Model;
use Clm\Policy;
use Clm\Portfolio;

$options = getopt('', ['as-of:']);
$asOf = $options['as-of'] ?? '2024-06-03'; // clm never reads the clock: every question names its date

// 1. The model. The portfolio shares it, so our handle can go at once.
$portfolio = new Portfolio();
$model = Model::preset('sales6');
$portfolio->addModel($model);
printf("model %s: %s, %d stages, starting at '%s'\n", $model->id(), $model->name(), $model->stageCount(), $model->initialStage());
$model->close();

// 2. The deals, as the CRM records them (the columns of the event-log CSV, docs/event-log.md).
$events = [
    new Event('acme', '2024-05-02', 'manager', 'Ann'),
    new Event('acme', '2024-05-02', 'class', 'A'),
    new Event('acme', '2024-05-02', 'stage', 'presentation', manager: 'Ann'),
    new Event('acme', '2024-05-03', 'check', 'meeting protocol sent'),
    new Event('acme', '2024-05-06', 'stage', 'proposal', manager: 'Ann'),
    new Event('acme', '2024-05-20', 'contact', 'sent terms', channel: 'email', manager: 'Ann'),
    new Event('globex', '2024-05-10', 'manager', 'Ann'),
    new Event('globex', '2024-05-10', 'class', 'B'),
    new Event('globex', '2024-05-10', 'stage', 'presentation', manager: 'Ann'),
    new Event('initech', '2024-05-28', 'manager', 'Bo'),
    new Event('initech', '2024-05-28', 'stage', 'presentation', manager: 'Bo'),
    new Event('initech', '2024-05-30', 'contact', 'demo booked', channel: 'call', manager: 'Bo'),
    new Event('umbrella', '2024-05-03', 'manager', 'Bo'),
    new Event('umbrella', '2024-05-03', 'stage', 'presentation', manager: 'Bo'),
    new Event('umbrella', '2024-05-21', 'event', 'lose', reason: 'no budget this year'),
];
$result = $portfolio->applyBatch($events); // all or nothing
printf("recorded %d events for %d deals\n", $result->applied, count($portfolio));

// A move the model does not allow is refused, with its status and what and where; nothing changes.
try {
    $portfolio->apply(new Event('initech', '2024-06-01', 'stage', 'payment'));
} catch (ClmException $e) {
    printf("refused: %s\n", $e->getMessage()); // CLM_E_ILLEGAL_TRANSITION: clm_portfolio_apply: ...
}

// 3. What to do next, ranked, each with the rule that fired and the facts that matched.
$policy = Policy::load('seeds');
foreach (['Ann', 'Bo'] as $manager) {
    printf("\n%s, as of %s:\n", $manager, $asOf);
    foreach ($policy->recommend($portfolio, $asOf, manager: $manager, limit: 3) as $r) {
        printf("  %d. %-8s [%s] %s via %s by %s: %s\n", $r->rank, $r->customerId, $r->stage, $r->action->kind,
            $r->action->channel, $r->action->due, $r->action->goal);
        printf("     why: rule %s: %s\n", $r->rule, implode('; ', $r->reasons));
    }
}

// 4. The funnel as of the same date.
$funnel = $portfolio->funnel('sales6', $asOf);
printf("\nfunnel as of %s: %d deals, %d won, %d lost\n", $funnel['as_of'], $funnel['customers'], $funnel['won'], $funnel['lost']);
foreach ($funnel['stages'] as $stage) {
    if ($stage['entered'] > 0) {
        printf("  %-14s entered %d, here now %d, lost from here %d\n", $stage['id'], $stage['entered'], $stage['current'],
            $stage['lost_from']);
    }
}
foreach ($funnel['conversion'] as $step) {
    if ($step['rate'] !== null) {
        printf("  %s -> %s: %.0f%%\n", $step['from'], $step['to'], 100 * $step['rate']);
    }
}

$policy->close();    // or let them go: PHP frees them when the last reference goes
$portfolio->close();
