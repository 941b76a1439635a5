<?php
/*
 * test_journal.php -- the journal as a host's store of record
 * (docs/embedding.md): save bytes, the sequence-number cursor, the observer
 * and erasure, with their bad inputs.
 */

declare(strict_types=1);

require __DIR__ . '/harness.php';

use Clm\Change;
use Clm\CorruptException;
use Clm\Event;
use Clm\IllegalTransitionException;
use Clm\InvalidArgumentException;
use Clm\Model;
use Clm\NotFoundException;
use Clm\Portfolio;

const DEAL = <<<'JSON'
{"id":"deal","version":1,"initial":"lead","stages":[
 {"id":"lead","name":"Lead","kind":"open","task":"qualify"},
 {"id":"offer","name":"Offer","kind":"open","task":"propose"},
 {"id":"won","name":"Won","kind":"won","task":"deliver"},
 {"id":"lost","name":"Lost","kind":"lost","task":"learn"}],
 "transitions":[{"from":"lead","to":"offer","event":"propose"},{"from":"offer","to":"won","event":"win"},
 {"from":"lead","to":"lost","event":"lose"},{"from":"offer","to":"lost","event":"lose"}]}
JSON;

const LOG = "customer_id,timestamp,type,value,channel,amount\n"
    . "c1,2024-01-01,stage,lead,,\n"
    . "c2,2024-01-02,stage,lead,,\n"
    . "c1,2024-01-03,contact,reached,call,\n"
    . "c1,2024-01-04,event,propose,,\n"
    . "c2,2024-01-05,stage,lost,,\n"
    . "c1,2024-01-09,purchase,licence,,990.5\n";

function fresh(): Portfolio
{
    $p = new Portfolio();
    $p->addModel(Model::fromJson(DEAL));
    return $p;
}

function brief(Change $c): string
{
    return sprintf('%d %s %s %s %s>%s', $c->seq, $c->event->customerId, $c->event->type, $c->event->value ?? '-',
        $c->fromStage ?? '-', $c->toStage ?? '-');
}

test('save bytes load back; bytes that are not a save', function () {
    $p = fresh();
    $p->importCsv(LOG);
    $data = $p->saveBytes();
    $q = Portfolio::loadBytes($data, 'row 7');
    eq($q->exportEvents(), $p->exportEvents());
    eq($q->lastSeq(), 6);
    $e = raises(CorruptException::class, fn () => Portfolio::loadBytes("\xff\xfe not a save", 'blob'));
    check(str_contains($e->getMessage(), "'blob' is damaged: not a clm portfolio save file"), $e->getMessage());
    raises(CorruptException::class, fn () => Portfolio::loadBytes(substr($data, 0, -2)));
});

test('cursor: rows after a sequence number, paging, beyond the end', function () {
    $p = fresh();
    eq($p->lastSeq(), 0);
    eq($p->eventsSince(0), []);
    $p->importCsv(LOG);
    $rows = $p->eventsSince(0);
    eq(implode('|', array_map('brief', $rows)), '1 c1 stage lead ->lead|2 c2 stage lead ->lead|3 c1 contact reached ->-|'
        . '4 c1 stage offer lead>offer|5 c2 stage lost lead>lost|6 c1 purchase licence ->-');
    eq($rows[5]->event->amount, 990.5);
    eq($rows[2]->event->channel, 'call');
    eq(array_map(fn (Change $c) => $c->seq, $p->eventsSince(2, 2)), [3, 4]);
    eq($p->eventsSince(6), []);
    $e = raises(InvalidArgumentException::class, fn () => $p->eventsSince(7));
    check(str_contains($e->getMessage(), "cursor 7 is beyond the journal's last sequence number 6"), $e->getMessage());
    $q = fresh();
    $q->applyBatch(array_map(fn (Change $c) => $c->event, $rows));
    eq($q->exportEvents(), $p->exportEvents());
});

test('observer: once per row after the commit; a failure never undoes it', function () {
    $p = fresh();
    $seen = [];
    $p->setObserver(function (Change $c) use (&$seen, $p) {
        $seen[] = brief($c) . ' @' . $p->eventCount();
    });
    $p->apply(new Event('c1', '2024-01-01', 'stage', 'lead'));
    $result = $p->applyBatch([
        new Event('c1', '2024-01-02', 'stage', 'offer'),
        new Event('c1', '2024-01-03', 'stage', 'lead'), // refused, skipped
        new Event('c1', '2024-01-04', 'stage', 'won'),
    ], skipBad: true);
    eq($result->applied, 2);
    eq(implode('|', $seen), '1 c1 stage lead ->lead @1|2 c1 stage offer lead>offer @3|3 c1 stage won offer>won @3');
    raises(IllegalTransitionException::class, fn () => $p->apply(new Event('c1', '2024-01-05', 'stage', 'lead')));
    eq(count($seen), 3);

    $calls = [];
    $p->setObserver(function (Change $c) use (&$calls) {
        $calls[] = $c->seq;
        if (count($calls) === 1) {
            throw new \RuntimeException('webhook down');
        }
    });
    $p->apply(new Event('c2', '2024-01-01', 'stage', 'lead')); // returns normally
    eq($p->eventCount(), 4);
    eq($p->observedSeq(), 3);
    eq($p->observerError()?->getMessage(), 'webhook down');
    $p->apply(new Event('c3', '2024-01-01', 'stage', 'lead'));
    eq($calls, [4, 4, 5]);
    eq($p->observedSeq(), 5);
    $p->setObserver(null);
    $p->apply(new Event('c4', '2024-01-01', 'stage', 'lead'));
    eq(count($calls), 3);
});

test('erase: gone from the portfolio and the save; unknown customer changes nothing', function () {
    $p = fresh();
    $p->importCsv(str_replace('c2', 'gdpr-subject-42', LOG));
    check(str_contains($p->saveBytes(), 'gdpr-subject-42'), 'saved before');
    $before = $p->saveBytes();
    raises(NotFoundException::class, fn () => $p->eraseCustomer('nobody'));
    eq($p->saveBytes(), $before);
    $p->eraseCustomer('gdpr-subject-42');
    check(!str_contains($p->saveBytes(), 'gdpr-subject-42'), 'erased from the save');
    eq($p->customers(), ['c1']);
    eq(array_map(fn (Change $c) => $c->seq, $p->eventsSince(0)), [1, 3, 4, 6]);
    eq($p->lastSeq(), 6);
});

test('time zones: offsets converted into the portfolio\'s zone', function () {
    $p = fresh();
    $p->apply(new Event('u1', '2024-01-01T23:30:00-02:00', 'stage', 'lead'));
    $p->setTimeZone('+03:00');
    $p->apply(new Event('u2', '2024-02-28T23:30:00Z', 'stage', 'lead'));
    eq(array_map(fn (Change $c) => $c->event->timestamp, $p->eventsSince(0)), ['2024-01-02T01:30:00', '2024-02-29T02:30:00']);
    raises(InvalidArgumentException::class, fn () => $p->setTimeZone('+14:30'));
    raises(InvalidArgumentException::class, fn () => $p->apply(new Event('u3', '2024-01-01T10:00:00+25:00', 'stage', 'lead')));
    eq($p->eventCount(), 2);
});

test('stream import: chunks equal the whole import; warnings; cancel; a failing reader', function () {
    $lines = ['customer_id,timestamp,type,value,amount'];
    for ($i = 0; $i < 30000; $i++) {
        $id = sprintf('k%05d', $i);
        $lines[] = "$id,2024-01-01,stage,lead,";
        $lines[] = "$id,2024-01-05,stage," . ($i % 2 ? 'offer' : 'lost') . ',';
    }
    $lines[] = 'k00001,2024-01-06,contact,called,99';
    $text = implode("\n", $lines) . "\n";
    check(strlen($text) > 1 << 20, 'more than one chunk');
    $whole = fresh();
    $whole->importCsv($text);
    $streamed = fresh();
    $f = fopen('php://memory', 'w+');
    fwrite($f, $text);
    rewind($f);
    $seen = [];
    $result = $streamed->importCsvStream($f, 's.csv', false, function (int $n) use (&$seen) {
        $seen[] = $n;
        return false;
    });
    eq($result->applied, 60001);
    eq($result->warnings, ["s.csv:60002:5: warning: column 'amount' (customer 'k00001') is not used on a 'contact' row (kept, but nothing reads it)"]);
    eq($streamed->export(), $whole->export());
    eq($seen[count($seen) - 1], strlen($text));
    $q = fresh();
    rewind($f);
    raises(\Clm\CancelledException::class, fn () => $q->importCsvStream($f, null, false, fn (int $n) => true));
    eq($q->eventCount(), 0);
    $e = raises(\Clm\CallbackException::class, fn () => $q->importCsvStream(function (int $n): string {
        throw new \RuntimeException('connection reset');
    }));
    eq($e->getPrevious()?->getMessage(), 'connection reset');
    raises(\TypeError::class, fn () => $q->importCsvStream(42));
    eq($q->eventCount(), 0);
});

finish();
