<?php
/*
 * test_model.php -- models, the model builder, errors and ownership.
 */

declare(strict_types=1);

require __DIR__ . '/harness.php';

use Clm\ClmException;
use Clm\Format;
use Clm\Library;
use Clm\Model;
use Clm\ModelBuilder;
use Clm\Problem;
use Clm\StageKind;

const PRESETS = ['buttle5', 'sales6', 'maturity6', 'clm5', 'relationship4', 'journey6', 'sales-process5'];
const MINI = <<<'JSON'
{
  "id": "mini",
  "version": 2,
  "name": "Mini",
  "initial": "lead",
  "stages": [
    {"id": "lead", "name": "Lead", "kind": "open", "task": "Qualify", "time_limit_days": 5, "probability": 0.2,
     "requirements": ["budget", "contact"]},
    {"id": "won", "name": "Won", "kind": "won", "task": "Deliver"},
    {"id": "lost", "name": "Lost", "kind": "lost", "task": "Learn"}
  ],
  "transitions": [
    {"from": "lead", "to": "won", "event": "sign"},
    {"from": "lead", "to": "lost", "event": "drop"}
  ],
  "migrations": [{"from_version": 1, "stages": {"prospect": "lead"}}]
}
JSON;

// -- errors ------------------------------------------------------------------

test('status names', function () {
    eq(\Clm\statusName(0), 'CLM_OK');
    eq(\Clm\statusName(3), 'CLM_E_PARSE');
    eq(\Clm\statusName(15), 'CLM_E_INTERNAL');
    eq(\Clm\statusName(999), 'CLM_E_UNKNOWN');
});

test('errors carry status, name, detail and function', function () {
    $e = raises(\Clm\NotFoundException::class, fn () => Model::preset('no-such-preset'));
    eq($e->status, 5);
    eq($e->getCode(), 5);
    eq($e->statusCase(), \Clm\Status::NOT_FOUND);
    eq($e->statusName, 'CLM_E_NOT_FOUND');
    eq($e->function, 'clm_model_preset');
    check(str_starts_with($e->detail, 'clm_model_preset: '), $e->detail);
    check(str_contains($e->detail, 'no-such-preset'), $e->detail);
    eq($e->problems, []);
    eq($e->getMessage(), 'CLM_E_NOT_FOUND: ' . $e->detail);
    check($e instanceof ClmException && $e instanceof \RuntimeException, 'a ClmException is a RuntimeException');
    eq(\Clm\lastStatus(), 5);
    eq(\Clm\lastError(), $e->detail);
    Model::preset('clm5')->close();
    eq(\Clm\lastStatus(), 0);
    eq(\Clm\lastError(), '');
});

test('an uncaught error prints its status name and detail', function () {
    $autoload = var_export(realpath(__DIR__ . '/../autoload.php'), true);
    exec(PHP_BINARY . ' -r ' . escapeshellarg("require $autoload; \\Clm\\Model::preset('nope');") . ' 2>&1', $out, $rc);
    check($rc !== 0, 'a non-zero exit');
    check(str_contains(implode("\n", $out), "Uncaught Clm\\NotFoundException: CLM_E_NOT_FOUND: clm_model_preset: unknown preset 'nope'"),
        implode("\n", $out));
});

test('parse errors list problems with line and column', function () {
    $text = "{\n  \"id\": \"x\",\n  \"version\": 1,\n  \"stages\": [ }\n";
    $e = raises(\Clm\ParseException::class, fn () => Model::fromJson($text));
    eq(count($e->problems), 1);
    $p = $e->problems[0];
    [$line, $column] = position($text, '}');
    eq($p->file, '<input>');
    eq($p->line, $line, 'line');
    eq($p->column, $column, 'column');
    check(str_contains($p->message, 'malformed JSON'), $p->message);
});

test('validation errors list every problem', function () {
    $text = str_replace(['"kind": "lost"', '"to": "won"'], ['"kind": "bogus"', '"to": "nowhere"'], MINI);
    $e = raises(\Clm\ValidationException::class, fn () => Model::fromJson($text));
    check(count($e->problems) >= 2, 'two problems or more');
    $found = false;
    foreach ($e->problems as $p) {
        if (str_contains($p->message, "unknown kind 'bogus'")) {
            eq([$p->line, $p->column], position($text, '"bogus"'), 'position');
            $found = true;
        }
    }
    check($found, 'a problem about the kind');
});

test('validateJson', function () {
    eq(Model::validateJson(MINI), []);
    $bad = str_replace('"kind": "won"', '"kind": "bogus"', MINI);
    $problems = Model::validateJson($bad, 'mini.json');
    eq(count($problems), 1);
    eq($problems[0]->file, 'mini.json');
    eq([$problems[0]->line, $problems[0]->column], position($bad, '"bogus"'));
    eq((string) $problems[0], "mini.json:{$problems[0]->line}:{$problems[0]->column}: error: {$problems[0]->message}");
    check(count(Model::validateJson('{"id": "x"}')) > 2, 'several problems');
});

test('Problem::parseAll', function () {
    $ps = Problem::parseAll("a.json:2:7: error: first\nC:\\m\\b.json:10:1: error: x: y\n<input>: error: none\nother\n");
    eq(count($ps), 3);
    eq([$ps[0]->file, $ps[0]->line, $ps[0]->column, $ps[0]->message], ['a.json', 2, 7, 'first']);
    eq([$ps[1]->file, $ps[1]->line, $ps[1]->message], ['C:\\m\\b.json', 10, 'x: y']);
    eq([$ps[2]->file, $ps[2]->line, $ps[2]->column, $ps[2]->message], ['<input>', null, null, 'none']);
    eq((string) $ps[2], '<input>: error: none');
});

// -- models ------------------------------------------------------------------

test('presets', function () {
    $ids = \Clm\presets();
    eq(count(array_unique($ids)), count($ids), 'no duplicates');
    foreach (PRESETS as $id) {
        check(in_array($id, $ids, true), "preset $id"); // more may come
    }
    eq(count($ids), Library::ffi()->clm_preset_count());
    eq(Library::ffi()->clm_preset_id(count($ids)), null);
});

test('every preset reads and round-trips through JSON', function () {
    foreach (\Clm\presets() as $id) {
        $m = Model::preset($id);
        eq($m->id(), $id);
        check($m->version() >= 1, 'version');
        check($m->name() !== '', 'a name');
        $stages = $m->stages();
        eq(count($stages), $m->stageCount());
        $ids = [];
        foreach ($stages as $i => $s) {
            eq($s->index, $i);
            eq($m->findStage($s->id), $i);
            eq($m->stage($s->id)->id, $s->id);
            $ids[$s->id] = true;
        }
        check(isset($ids[$m->initialStage()]), 'the initial stage is a stage');
        foreach ($m->transitions() as $t) {
            check(isset($ids[$t->fromStage], $ids[$t->toStage]), 'transitions join stages');
            eq($m->nextStage($t->fromStage, $t->event), $t->toStage);
        }
        $json = $m->toJson();
        eq(Model::fromJson($json)->toJson(), $json, "$id round trip");
        $m->close();
    }
});

test('model getters', function () {
    $m = Model::fromJson(MINI);
    eq([$m->id(), $m->version(), $m->name(), $m->initialStage()], ['mini', 2, 'Mini', 'lead']);
    $s = $m->stages();
    eq(count($s), 3);
    eq([$s[0]->id, $s[0]->name, $s[0]->kind, $s[0]->task], ['lead', 'Lead', StageKind::OPEN, 'Qualify']);
    eq([$s[0]->timeLimitDays, $s[0]->probability, $s[0]->requirements], [5, 0.2, ['budget', 'contact']]);
    eq([$s[1]->kind, $s[1]->timeLimitDays, $s[1]->probability, $s[1]->requirements], [StageKind::WON, null, null, []]);
    eq($s[2]->kind, StageKind::LOST);
    $t = $m->transitions();
    eq(count($t), 2);
    eq([$t[0]->fromStage, $t[0]->toStage, $t[0]->event], ['lead', 'won', 'sign']);
    eq($m->stageId(1), 'won');
    eq($m->stageId(99), '');
    raises(\OutOfRangeException::class, fn () => $m->stage(3));
});

test('findStage, nextStage and their errors', function () {
    $m = Model::fromJson(MINI);
    eq($m->findStage('won'), 1);
    raises(\Clm\NotFoundException::class, fn () => $m->findStage('nope'));
    eq($m->nextStage('lead', 'sign'), 'won');
    $e = raises(\Clm\IllegalTransitionException::class, fn () => $m->nextStage('won', 'sign'));
    check(str_contains($e->detail, "'won' has no transition on 'sign'"), $e->detail);
    raises(\Clm\NotFoundException::class, fn () => $m->nextStage('lead', 'no-such-event'));
    $out = Library::sizeSlot();
    raises(\Clm\InvalidArgumentException::class,
        fn () => Library::call('clm_model_next_stage', \FFI::addr($out), $m->handle(), 99, 'sign'));
    raises(\ValueError::class, fn () => $m->findStage("lead\0won"));
});

test('migrateStage', function () {
    $m = Model::fromJson(MINI);
    eq($m->migrateStage(1, 'prospect'), 'lead');
    eq($m->migrateStage(1, 'won'), 'won');
    raises(\Clm\NotFoundException::class, fn () => $m->migrateStage(1, 'gone'));
});

test('render', function () {
    $m = Model::fromJson(MINI);
    $text = $m->render();
    check(str_contains($text, 'mini'), $text);
    eq($m->render('text'), $text);
    eq($m->render(Format::TEXT), $text);
    eq($m->render(0), $text);
    check(str_starts_with($m->render('dot'), 'digraph'), 'dot');
    check(str_starts_with($m->render('MERMAID'), 'stateDiagram-v2'), 'mermaid');
    check(str_contains($m->render(Format::JSON), '"id": "mini"'), 'json');
    $e = raises(\ValueError::class, fn () => $m->render('pdf'));
    check(str_contains($e->getMessage(), "unknown format 'pdf'"), $e->getMessage());
    $e = raises(\Clm\InvalidArgumentException::class, fn () => $m->render(99));
    check(str_contains($e->detail, 'unknown format 99'), $e->detail);
});

test('load from a preset id and from a file', function () {
    eq(Model::load('sales6')->id(), 'sales6');
    eq(Model::load(REPO . '/presets/sales6.json')->toJson(), Model::preset('sales6')->toJson());
    $tmp = tempnam(sys_get_temp_dir(), 'clm');
    file_put_contents($tmp, "{\"id\": \"x\",\n \"version\": 1,\n \"stages\": [}");
    $e = raises(\Clm\ParseException::class, fn () => Model::load($tmp));
    eq([$e->problems[0]->file, $e->problems[0]->line, $e->problems[0]->column], [$tmp, 3, 13]);
    unlink($tmp);
    $e = raises(\Clm\IoException::class, fn () => Model::load($tmp));
    check(str_contains($e->detail, $tmp), $e->detail);
});

test('unicode survives', function () {
    $m = Model::fromJson(str_replace('"Mini"', '"Mini – Воронка 漏斗"', MINI));
    eq($m->name(), 'Mini – Воронка 漏斗');
    check(str_contains($m->render(), 'Воронка 漏斗'), 'rendered');
});

// -- ownership ---------------------------------------------------------------

test('close twice is safe; use after close is an error', function () {
    $m = Model::preset('sales6');
    $m->close();
    $m->close();
    check($m->isClosed(), 'closed');
    $e = raises(\LogicException::class, fn () => $m->id());
    check(str_contains($e->getMessage(), 'closed Clm\Model'), $e->getMessage());
    $b = new ModelBuilder('x', 1);
    $b->close();
    $b->close();
    raises(\LogicException::class, fn () => $b->addStage('a'));
    raises(\LogicException::class, fn () => clone Model::preset('sales6'));
});

test('dropping the last reference frees handles', function () {
    $json = Model::preset('journey6')->toJson();
    for ($i = 0; $i < 300; $i++) { // warm up the allocator
        Model::fromJson($json);
    }
    $before = rss_kb();
    for ($i = 0; $i < 3000; $i++) {
        Model::fromJson($json); // parsed, built, dropped: freed by __destruct at once
        (new ModelBuilder('tmp', 1))->addStage('a');
    }
    $grown = rss_kb() - $before;
    check($grown < 4096, "memory grew by {$grown} kB over 3000 models");
    // a model outlives its builder
    $b = (new ModelBuilder('solo', 1))->addStage('a')->addStage('b', null, 'won')->addTransition('a', 'b', 'go');
    $m = $b->build();
    unset($b);
    eq($m->nextStage('a', 'go'), 'b');
});

// -- builder -----------------------------------------------------------------

test('builder: every step', function () {
    $b = (new ModelBuilder('deal', 2))
        ->setName('Deal')
        ->addStage('lead', 'Lead', StageKind::OPEN, 'Qualify the lead')
        ->addStage('offer', 'Offer')
        ->addStage('won', 'Won', 'won', 'Deliver')
        ->addStage('lost', null, 'LOST')
        ->addStage('sleep', 'Sleeping', StageKind::DORMANT)
        ->addStage('closed', 'Closed', 4)
        ->setTimeLimit('lead', 7)->setProbability('lead', 0.1)
        ->addRequirement('offer', 'proposal sent')
        ->addTransition('lead', 'offer', 'qualify')->addTransition('offer', 'won', 'sign')
        ->addTransition('offer', 'lost', 'lose')->addTransition('lead', 'sleep', 'pause')
        ->addTransition('sleep', 'lead', 'wake')->addTransition('won', 'closed', 'close')
        ->guardRequires('offer', 'sign', 'contract signed')
        ->guardMinDays('offer', 'sign', 2)
        ->guardPredicate('offer', 'sign', 'credit_ok')
        ->addReason('offer', 'lose', 'price', true)
        ->addReason('lead', 'pause', null, true)
        ->addMigration(1, 'prospect', 'lead')
        ->setInitial('lead');
    $m = $b->build();
    eq([$m->id(), $m->version(), $m->name(), $m->initialStage()], ['deal', 2, 'Deal', 'lead']);
    $s = $m->stages();
    eq([$s[0]->timeLimitDays, $s[0]->probability, $s[0]->task], [7, 0.1, 'Qualify the lead']);
    eq($s[1]->requirements, ['proposal sent']);
    eq([$s[3]->name, $s[4]->kind, $s[5]->kind], ['lost', StageKind::DORMANT, StageKind::TERMINAL]);
    eq($m->migrateStage(1, 'prospect'), 'lead');
    $json = $m->toJson();
    foreach (['"kind": "predicate"', '"kind": "min_days"', '"contract signed"', '"reason_required": true'] as $needle) {
        check(str_contains($json, $needle), $needle);
    }
    eq(Model::fromJson($json)->toJson(), $json);
});

test('builder: errors', function () {
    $b = (new ModelBuilder('b', 1))->addStage('a');
    raises(\Clm\DuplicateException::class, fn () => $b->addStage('a'));
    raises(\Clm\NotFoundException::class, fn () => $b->setTimeLimit('zz', 3));
    raises(\Clm\InvalidArgumentException::class, fn () => $b->setTimeLimit('a', -1));
    raises(\Clm\NotFoundException::class, fn () => $b->guardRequires('a', 'go', 'x'));
    raises(\Clm\InvalidArgumentException::class, fn () => $b->addStage('k', null, 99));
    $e = raises(\ValueError::class, fn () => $b->addStage('k', null, 'nonsense'));
    check(str_contains($e->getMessage(), 'unknown stage kind'), $e->getMessage());
    raises(\Clm\ValidationException::class, fn () => (new ModelBuilder('', 1))->addStage('a')->build());
});

test('builder: build reports every problem and stays usable', function () {
    $b = (new ModelBuilder('b', 0))->addStage('a')->addStage('w', null, 'won')->addTransition('a', 'nowhere', 'go');
    $e = raises(\Clm\ValidationException::class, fn () => $b->build());
    eq($e->function, 'clm_model_builder_build');
    check(count($e->problems) >= 2, 'two problems or more');
    foreach ($e->problems as $p) {
        eq([$p->file, $p->line], ['<input>', null]);
    }
    $b2 = (new ModelBuilder('b', 1))->addStage('a')->addStage('w', null, 'won')->addTransition('a', 'nowhere', 'go');
    raises(\Clm\ValidationException::class, fn () => $b2->build());
    $b2->addStage('nowhere', null, 'lost')->addTransition('a', 'w', 'win');
    eq($b2->build()->nextStage('a', 'go'), 'nowhere');
});

test('locales: a model and a portfolio shown in Russian and Chinese', function () {
    $m = Model::preset('buttle5');
    eq($m->locales(), ['en', 'ru', 'zh']);
    eq($m->locale(), 'en');
    check($m->setLocale('ru') === $m, 'setLocale returns the model');
    eq($m->stages()[0]->name, 'Осведомленность');
    $e = raises(\Clm\NotFoundException::class, fn () => $m->setLocale('de'));
    check(str_contains($e->detail, 'available: en, ru, zh'), $e->detail);
    eq($m->locale(), 'ru');
    $p = new \Clm\Portfolio();
    $p->addModel(Model::preset('sales6'));
    $view = $p->models()[0];
    $p->setLocale('zh');
    eq($view->stages()[$view->findStage('proposal')]->name, '报价方案');
    raises(\LogicException::class, fn () => $view->setLocale('ru'));
    raises(\Clm\NotFoundException::class, fn () => $p->setLocale('fr'));
    raises(\Clm\InvalidArgumentException::class, fn () => (new \Clm\Portfolio())->setLocale('en'));
});

finish();
