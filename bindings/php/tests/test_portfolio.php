<?php
/*
 * test_portfolio.php -- portfolios: events, batches, imports, queries,
 * analytics, predicates, persistence and ownership.
 */

declare(strict_types=1);

require __DIR__ . '/harness.php';

use Clm\Event;
use Clm\Library;
use Clm\Model;
use Clm\Portfolio;

const DEAL = <<<'JSON'
{"id": "deal", "version": 1, "initial": "lead",
 "stages": [{"id": "lead", "name": "Lead", "kind": "open", "task": "qualify"},
            {"id": "won", "name": "Won", "kind": "won", "task": "deliver"},
            {"id": "lost", "name": "Lost", "kind": "lost", "task": "learn"}],
 "transitions": [{"from": "lead", "to": "won", "event": "win", "guards": [{"kind": "predicate", "name": "credit_ok"}]},
                 {"from": "lead", "to": "lost", "event": "lose"}]}
JSON;

const LOG = "customer_id,timestamp,type,value\n"
    . "x,2024-01-01,stage,awareness\n"
    . "y,2024-01-01,stage,awareness\n"
    . "y,2024-01-09,stage,commitment\n"
    . "x,2024-01-10,contact,called\n";

function buttle(): Portfolio
{
    $p = new Portfolio();
    $p->addModel(Model::preset('buttle5'));
    return $p;
}

test('models, apply, stage, customers', function () {
    $p = new Portfolio();
    eq(count($p), 0);
    $m = Model::preset('sales6');
    eq($p->addModel($m), 0);
    $m->close(); // the portfolio shares the model
    raises(\Clm\DuplicateException::class, fn () => $p->addModel(Model::preset('sales6')));
    $views = $p->models();
    eq(count($views), 1);
    eq($views[0]->id(), 'sales6');
    $views[0]->close(); // a view frees nothing
    eq($p->models()[0]->id(), 'sales6');
    $p->apply(new Event('acme', '2024-05-01', 'stage', 'presentation', manager: 'Ann'));
    $p->apply(new Event('acme', '2024-05-02', 'check', 'meeting protocol sent'));
    $p->apply(['customer_id' => 'acme', 'timestamp' => '2024-05-03', 'type' => 'event', 'value' => 'advance']);
    $p->apply(new Event('acme', new \DateTimeImmutable('2024-05-04'), 'purchase', 'licence', amount: 1200.5));
    $p->apply(['customerId' => 'acme', 'timestamp' => '2024-05-05T10:30:00', 'type' => 'contact', 'channel' => 'call']);
    $s = $p->stage('acme');
    eq([$s->stageId, $s->days], ['proposal', 2]);
    $s = $p->stage('acme', 'sales6', '2024-05-02');
    eq([$s->stageId, $s->days], ['presentation', 1]);
    $s = $p->stage('acme', null, new \DateTimeImmutable('2024-04-01'));
    eq([$s->stageId, $s->days], [null, 0]);
    eq($p->customers(), ['acme']);
    eq($p->eventCount(), 5);
    $customer = $p->customer('acme');
    eq([$customer['models'][0]['model'], $customer['models'][0]['stage'], $customer['revenue']], ['sales6', 'proposal', 1200.5]);
    eq($p->customer('acme', '2024-05-02')['models'][0]['stage'], 'presentation');
    $history = $p->history('acme');
    eq(count($history), 5);
    eq($history[3]['value'], 'licence');
    eq($history[3]['amount'], 1200.5);
    eq($history[4]['timestamp'], '2024-05-05T10:30:00');
    eq(Library::date(new \DateTimeImmutable('2024-05-05 10:30:00'), 'd'), '2024-05-05T10:30:00', 'a date and time');
    eq(Library::date(new \DateTime('2024-05-05'), 'd'), '2024-05-05', 'a date at midnight');
});

test('errors carry status and detail and change nothing', function () {
    $p = buttle();
    $p->apply(new Event('a', '2024-01-01', 'stage', 'awareness'));
    $e = raises(\Clm\IllegalTransitionException::class, fn () => $p->apply(new Event('a', '2024-01-02', 'stage', 'commitment')));
    eq($e->function, 'clm_portfolio_apply');
    check(str_contains($e->detail, "customer 'a'"), $e->detail);
    $e = raises(\Clm\InvalidArgumentException::class, fn () => $p->apply(new Event('b', '2024-02-01', 'warp', 'x')));
    check(str_contains($e->detail, "unknown type 'warp'"), $e->detail);
    raises(\Clm\InvalidArgumentException::class, fn () => $p->apply(new Event('b', '2024-13-01', 'stage', 'awareness')));
    raises(\Clm\NotFoundException::class, fn () => $p->apply(new Event('b', '2024-02-01', 'stage', 'nowhere')));
    eq($p->eventCount(), 1);
    $e = raises(\ValueError::class, fn () => $p->apply(['customer' => 'a']));
    check(str_contains($e->getMessage(), "unknown event field 'customer'"), $e->getMessage());
    raises(\ValueError::class, fn () => $p->apply(['customer_id' => 'a', 'type' => 'stage']));
    $e = raises(\ValueError::class, fn () => $p->apply(['customer_id' => 'a', 'timestamp' => '2024-02-01', 'type' => 'purchase', 'value' => 'x', 'amount' => 'lots']));
    check(str_contains($e->getMessage(), 'amount must be a number'), $e->getMessage());
    raises(\Clm\NotFoundException::class, fn () => $p->stage('ghost'));
    raises(\Clm\NotFoundException::class, fn () => $p->stage('a', 'other'));
    raises(\Clm\InvalidArgumentException::class, fn () => $p->stage('a', null, '2017-02-30'));
    raises(\Clm\NotFoundException::class, fn () => $p->customer('ghost'));
    raises(\Clm\NotFoundException::class, fn () => $p->stageCounts('nope'));
    eq($p->eventCount(), 1);
});

test('batches, import, stage counts, export', function () {
    $p = buttle();
    $e = raises(\Clm\IllegalTransitionException::class, fn () => $p->importCsv(LOG, 'log.csv'));
    check(str_contains($e->detail, "log.csv:4: customer 'y'"), $e->detail);
    eq(count($p), 0);
    $r = $p->importCsv(LOG, 'log.csv', skipBad: true);
    eq([$r->applied, count($r)], [3, 1]);
    eq([$r->rejections[0]->file, $r->rejections[0]->line, $r->rejections[0]->index], ['log.csv', 4, null]);
    check(str_starts_with((string) $r->rejections[0], 'log.csv:4: '), (string) $r->rejections[0]);
    $e = raises(\Clm\ParseException::class, fn () => $p->importCsv("customer_id,timestamp\n", 'h.csv'));
    eq($e->problems[0]->file, 'h.csv');
    $events = [
        new Event('x', '2024-02-01', 'stage', 'exploration'),
        new Event('z', '2024-02-01', 'stage', 'nowhere'),
        ['customer_id' => 'z', 'timestamp' => '2024-02-01', 'type' => 'stage', 'value' => 'awareness'],
    ];
    $e = raises(\Clm\NotFoundException::class, fn () => $p->applyBatch($events));
    check(str_contains($e->detail, 'event 1'), $e->detail);
    eq($p->eventCount(), 3);
    $r = $p->applyBatch(new \ArrayIterator($events), skipBad: true);
    eq([$r->applied, count($r)], [2, 1]);
    foreach ($r as $rejection) {
        eq($rejection->index, 1);
        check(str_starts_with($rejection->text, 'event 1: '), $rejection->text);
    }
    eq($p->applyBatch([])->applied, 0);
    eq($p->stageCounts(), ['awareness' => 2, 'exploration' => 1, 'expansion' => 0, 'commitment' => 0, 'dissolution' => 0]);
    eq($p->stageCounts('buttle5', '2024-01-05')['awareness'], 2);
    $csv = $p->export('2024-02-01');
    check(str_starts_with($csv, 'customer_id,manager,class,buttle5_stage,'), $csv);
    eq($p->export(null, 'json')['as_of'], '2024-02-01');
    raises(\ValueError::class, fn () => $p->export(null, 'xml'));
    // the journal round-trips
    $q = buttle();
    $q->importCsv($p->exportEvents());
    eq($q->exportEvents(), $p->exportEvents());
    // files
    $tmp = tempnam(sys_get_temp_dir(), 'clm');
    file_put_contents($tmp, str_replace("y,2024-01-09,stage,commitment\n", '', LOG));
    $r = buttle();
    eq($r->importCsvFile($tmp)->applied, 3);
    unlink($tmp);
    $e = raises(\Clm\IoException::class, fn () => $r->importCsvFile($tmp));
    check(str_contains($e->detail, $tmp), $e->detail);
});

test('analytics as decoded JSON, and the HTML report', function () {
    $p = buttle();
    $p->importCsv(LOG, 'log.csv', skipBad: true);
    eq($p->funnel()['model'], 'buttle5');
    eq($p->funnel('buttle5', '2024-01-05')['as_of'], '2024-01-05');
    eq(array_column($p->funnel()['stages'], 'id'), ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution']);
    check(is_array($p->timeInStage()['stages']), 'time in stage has stages');
    eq($p->dynamics('2024-01-02', '2024-01-10')['from'], '2024-01-02');
    raises(\Clm\InvalidArgumentException::class, fn () => $p->dynamics('2024-01-10', '2024-01-02'));
    check(array_key_exists('pareto', $p->value()), 'value has a pareto');
    check(array_key_exists('pipeline', $p->forecast()), 'forecast has a pipeline');
    $per = $p->forecastCustomers(asOf: '2024-01-10');
    eq($per['as_of'], '2024-01-10');
    eq(array_sum(array_column($per['customers'], 'p_won')), $p->forecast(asOf: '2024-01-10')['pipeline']['expected_wins']);
    $bt = $p->backtest('2024-01-02', '2024-01-10');
    eq($bt['open'], $bt['closed'] + $bt['still_open']);
    raises(\Clm\InvalidArgumentException::class, fn () => $p->backtest('2024-01-10', '2024-01-02'));
    $plan = ['from' => '2024-01-01', 'to' => '2024-01-31', 'managers' => ['Ann' => ['contacts' => 4]]];
    check(str_contains(json_encode($p->planActual($plan)), '"Ann"'), 'plan against actual as an array');
    eq($p->planActual(json_encode($plan)), $p->planActual($plan), 'the plan as JSON text');
    $e = raises(\Clm\ParseException::class, fn () => $p->planActual('{ nope'));
    eq($e->problems[0]->file, 'plan');
    raises(\Clm\NotFoundException::class, fn () => $p->funnel('nope'));
    $html = $p->reportHtml(null, '2024-01-10');
    check(str_starts_with($html, '<!DOCTYPE html>'), substr($html, 0, 40));
    check(str_contains($html, 'id="clm-data"'), 'the report embeds its data');
    raises(\Clm\InvalidArgumentException::class, fn () => $p->reportHtml(null, '2024-01-10', '2024-01-11'));
});

test('a predicate allows, refuses, and its exceptions stay in PHP', function () {
    $p = new Portfolio();
    $p->addModel(Model::fromJson(DEAL));
    $p->apply(new Event('c1', '2024-01-01', 'stage', 'lead'));
    $win = new Event('c1', '2024-01-05', 'stage', 'won');
    raises(\Clm\GuardFailedException::class, fn () => $p->apply($win)); // not registered yet
    $verdict = false;
    $calls = [];
    $p->registerPredicate('credit_ok', function (string $customer, string $model, string $from, string $to, string $date) use (&$verdict, &$calls) {
        $calls[] = [$customer, $model, $from, $to, $date];
        if ($verdict === 'boom') {
            throw new \RuntimeException('credit service down');
        }
        return $verdict;
    });
    $e = raises(\Clm\GuardFailedException::class, fn () => $p->apply($win));
    check(str_contains($e->detail, "'lead' -> 'won'"), $e->detail);
    eq(count($calls), 1);
    eq(array_slice($calls[0], 0, 4), ['c1', 'deal', 'lead', 'won']);
    check(str_starts_with($calls[0][4], '2024-01-05'), $calls[0][4]);
    $verdict = 'boom';
    $e = raises(\Clm\CallbackException::class, fn () => $p->apply($win));
    check($e->getPrevious() instanceof \RuntimeException && $e->getPrevious()->getMessage() === 'credit service down',
        'the predicate\'s exception is the previous one');
    eq($p->eventCount(), 1, 'nothing changed by the failures');
    $verdict = true;
    $p->apply($win);
    eq($p->stage('c1')->stageId, 'won');
    // replacing a predicate; a batch with skipBad reports the refusal
    $p->registerPredicate('credit_ok', fn (string $customer) => $customer !== 'bad');
    $p->apply(new Event('bad', '2024-01-01', 'stage', 'lead'));
    $p->apply(new Event('ok', '2024-01-01', 'stage', 'lead'));
    $r = $p->applyBatch([new Event('ok', '2024-01-05', 'stage', 'won'), new Event('bad', '2024-01-05', 'stage', 'won')], true);
    eq([$r->applied, count($r)], [1, 1]);
    check(str_contains($r->rejections[0]->message, 'credit_ok'), $r->rejections[0]->message);
    for ($i = 0; $i < 300; $i++) {
        $p->apply(new Event("j$i", '2024-01-01', 'stage', 'lead'));
        $p->apply(new Event("j$i", '2024-01-02', 'stage', 'won'));
    }
    eq($p->stageCounts()['won'], 302);
    // a non-callable, a predicate on a closed portfolio
    $p->close();
    $p->close();
    check($p->isClosed(), 'closed');
    raises(\LogicException::class, fn () => $p->registerPredicate('credit_ok', fn () => true));
});

test('predicates of two portfolios stay apart', function () {
    $a = new Portfolio();
    $b = new Portfolio();
    foreach ([$a, $b] as $p) {
        $p->addModel(Model::fromJson(DEAL));
        $p->apply(new Event('c', '2024-01-01', 'stage', 'lead'));
    }
    $a->registerPredicate('credit_ok', fn () => true);
    $b->registerPredicate('credit_ok', fn () => false);
    $a->apply(new Event('c', '2024-01-02', 'stage', 'won'));
    raises(\Clm\GuardFailedException::class, fn () => $b->apply(new Event('c', '2024-01-02', 'stage', 'won')));
    $a->close(); // b's predicate outlives a's
    raises(\Clm\GuardFailedException::class, fn () => $b->apply(new Event('c', '2024-01-02', 'stage', 'won')));
});

test('save and load; close twice; use after close', function () {
    $p = buttle();
    $p->importCsv(LOG, 'log.csv', skipBad: true);
    $views = $p->models();
    $tmp = tempnam(sys_get_temp_dir(), 'clm');
    $p->save($tmp);
    $q = Portfolio::load($tmp);
    eq(count($q), 2);
    eq($q->models()[0]->id(), 'buttle5');
    eq($q->exportEvents(), $p->exportEvents());
    $f = fopen($tmp, 'r+b');
    fseek($f, 40);
    fwrite($f, '#');
    fclose($f);
    $e = raises(\Clm\CorruptException::class, fn () => Portfolio::load($tmp));
    check(str_contains($e->detail, $tmp), $e->detail);
    unlink($tmp);
    raises(\Clm\IoException::class, fn () => Portfolio::load($tmp));
    $p->close();
    $p->close();
    raises(\LogicException::class, fn () => $p->customers());
    check($views[0]->isClosed(), 'a model of a closed portfolio is closed');
    raises(\LogicException::class, fn () => $views[0]->id());
});

test('raw calls: structs and callbacks through Library::ffi()', function () {
    $ffi = Library::ffi();
    $out = $ffi->new('clm_portfolio *');
    Library::call('clm_portfolio_new', \FFI::addr($out));
    $m = Model::fromJson(DEAL);
    Library::call('clm_portfolio_add_model', null, $out, $m->handle());
    $m->close();
    $ev = $ffi->new('clm_event');
    $keep = [];
    (new Event('c1', '2024-01-01', 'stage', 'lead'))->fill($ev, $keep);
    Library::call('clm_portfolio_apply', $out, \FFI::addr($ev));
    $stage = Library::sizeSlot();
    $days = $ffi->new('int64_t');
    Library::call('clm_portfolio_stage', \FFI::addr($stage), \FFI::addr($days), $out, 'c1', null, '2024-01-03');
    eq([$stage->cdata, $days->cdata], [0, 2]);
    eq($ffi->clm_portfolio_event_count($out), 1);
    $ffi->clm_portfolio_free($out);
});

test('dropping the last reference frees portfolios and their predicates', function () {
    $csv = "customer_id,timestamp,type,value\n";
    for ($i = 0; $i < 2000; $i++) {
        $csv .= "c$i,2024-01-01,stage,lead\n";
    }
    $make = function () use ($csv): Portfolio {
        $p = new Portfolio();
        $p->addModel(Model::fromJson(DEAL));
        $p->registerPredicate('credit_ok', fn () => true);
        $p->importCsv($csv);
        return $p;
    };
    for ($i = 0; $i < 20; $i++) {
        $make();
    }
    $before = rss_kb();
    for ($i = 0; $i < 200; $i++) {
        $make(); // 2,000 customers each, freed by __destruct
    }
    $grown = rss_kb() - $before;
    check($grown < 8192, "memory grew by {$grown} kB over 200 portfolios of 2,000 customers");
    // a cycle (a predicate that holds its portfolio) is freed by the cycle collector
    $before = rss_kb();
    for ($i = 0; $i < 200; $i++) {
        $p = $make();
        $p->registerPredicate('credit_ok', function () use ($p) {
            return $p !== null;
        });
        unset($p);
        gc_collect_cycles();
    }
    $grown = rss_kb() - $before;
    check($grown < 8192, "memory grew by {$grown} kB over 200 portfolios in cycles");
});

test('real data: stage counts of the CRM export', function () {
    $tmp = tempnam(sys_get_temp_dir(), 'crm');
    exec('python3 ' . escapeshellarg(REPO . '/scripts/crm_to_events.py') . ' -o ' . escapeshellarg($tmp) . ' 2>&1', $out, $rc);
    if ($rc !== 0) {
        echo "  (skip: python3 cannot run the converter)\n";
        unlink($tmp);
        return;
    }
    $p = new Portfolio();
    $p->addModel(Model::load(REPO . '/examples/data/crm-pipeline.json'));
    eq($p->importCsvFile($tmp)->applied, 62324);
    unlink($tmp);
    eq($p->stageCounts(null, '2017-06-30'), ['prospecting' => 0, 'engaging' => 1686, 'won' => 1785, 'lost' => 894]);
    eq($p->stageCounts('crm-pipeline', '2017-12-31'), ['prospecting' => 500, 'engaging' => 1589, 'won' => 4238, 'lost' => 2473]);
});

finish();
