// The learner's whole flow through the generated Kotlin bindings and the real core library,
// on the JVM: what the Android app does, minus the screens. Run by android/jvm-test/run,
// which builds the library, the packs and a hub on loopback, and passes them in:
//   SKILLPACK_PACK   a pack signed by the demo publisher (talking-with-customers)
//   SKILLPACK_HUB    the hub's URL; it offers safe-riding to group "riders"
//   SKILLPACK_CODE   an enrolment code for group "riders"
//   SKILLPACK_GRADUATES_CODE  an enrolment code for group "graduates", whose quiz earns a credential
//   SKILLPACK_BIN    the skillpack command, for what the trainer does at the hub
//   SKILLPACK_DB     the hub's database, for the trainer's `skillpack hub revoke`
//   SKILLPACK_WORK   a scratch folder
// Prints `N passed, M failed` last.

import java.io.File
import kotlin.system.exitProcess
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.skillpack.app.logic.answerFor
import org.skillpack.core.Answer
import org.skillpack.core.LessonBlock
import org.skillpack.core.ListedRevocation
import org.skillpack.core.ModuleState
import org.skillpack.core.PlatformKeyStore
import org.skillpack.core.ProgressListener
import org.skillpack.core.QuestionViewKind
import org.skillpack.core.RevocationStatus
import org.skillpack.core.pointsText
import org.skillpack.core.Rendition
import org.skillpack.core.RevocationView
import org.skillpack.core.Skillpack
import org.skillpack.core.SkillpackException

var passed = 0
var failed = 0

fun check(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("ok    $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL  $name: $e")
    }
}

/** Keys in memory, as the Android Keystore-backed store would hold them. */
class MemoryKeys : PlatformKeyStore {
    val keys = HashMap<String, ByteArray>()
    var loads = 0
    override fun load(name: String): ByteArray? { loads++; return keys[name] }
    override fun save(name: String, seed: ByteArray) { keys[name] = seed }
}

class BrokenKeys : PlatformKeyStore {
    override fun load(name: String): ByteArray? = throw IllegalStateException("keystore locked")
    override fun save(name: String, seed: ByteArray) = throw IllegalStateException("keystore locked")
}

class CountingListener(private val cancel: Boolean = false) : ProgressListener {
    var calls = 0
    var last = Pair(0UL, 0UL)
    override fun onProgress(done: ULong, total: ULong) { calls++; last = Pair(done, total) }
    override fun isCancelled(): Boolean = cancel
}

fun env(name: String): String = System.getenv(name) ?: error("$name is not set (run android/jvm-test/run)")

fun main() {
    val pack = env("SKILLPACK_PACK")
    val hub = env("SKILLPACK_HUB")
    val code = env("SKILLPACK_CODE")
    val work = File(env("SKILLPACK_WORK"))
    val dir = File(work, "app").apply { mkdirs() }.path
    val keys = MemoryKeys()
    val app = Skillpack.open(dir, keys)
    val module = "talking-with-customers"

    check("the device keys are made once and kept in the platform key store") {
        val learner = app.learnerDid()
        assertTrue(learner.startsWith("did:key:z6Mk"), learner)
        assertEquals(2, keys.keys.size, "device and learner keys")
        val again = Skillpack.open(File(work, "app-again").apply { mkdirs() }.path, keys)
        assertEquals(learner, again.learnerDid(), "same keys, same learner")
        again.closeStore()
    }

    check("a pack from an unknown publisher is refused with its fingerprint") {
        val e = assertFailsWith<SkillpackException.Untrusted> { app.install(pack) }
        assertEquals("1b98-7b50-11ab-2ab2-a046-a4f0", e.fingerprint)
    }

    check("once the learner trusts the publisher the pack installs") {
        assertEquals("1b98-7b50-11ab-2ab2-a046-a4f0", app.trustPublisherOf(pack, "Demo trainer"))
        val installed = app.install(pack)
        assertEquals(listOf(module), installed.modules)
    }

    check("the catalog lists the module as new") {
        val entry = app.catalog().single { it.id == module }
        assertTrue(entry.state is ModuleState.New, "${entry.state}")
        assertTrue(entry.lessons > 0u)
    }

    check("a lesson comes laid out in blocks, and the reading place comes back") {
        val lesson = app.lesson(module, 0u)
        assertTrue(lesson.title.isNotBlank())
        val heading = lesson.blocks.first() as LessonBlock.Heading
        assertEquals(lesson.title, heading.text.joinToString("") { it.text })
        assertTrue(lesson.blocks.count { it is LessonBlock.Paragraph } > 2, "${lesson.blocks.size} blocks")
        assertEquals(null, lesson.resumeBlock)
        app.recordProgress(module, 0u, 90_000uL, 3u)
        assertEquals(3u, app.lesson(module, 0u).resumeBlock)
        assertTrue(app.catalog().single { it.id == module }.lessonsOpened >= 1u)
        val pictured = app.lesson(module, 1u)
        val image = pictured.blocks.filterIsInstance<LessonBlock.Image>().single()
        assertTrue(pictured.media[image.media.toInt()].bytes!!.size > 100, "the image's bytes")
    }

    check("an answer that does not fit the question is refused") {
        val attempt = app.startAttempt(module)
        val e = assertFailsWith<SkillpackException.InvalidInput> {
            app.answer(module, attempt.questions.first().id, Answer.Single(99u))
        }
        assertTrue(e.detail.isNotEmpty())
        assertFailsWith<SkillpackException.InvalidInput> {
            app.answer(module, "no-such-question", Answer.TrueFalse(true))
        }
        val choice = attempt.questions.first { it.kind is QuestionViewKind.Single || it.kind is QuestionViewKind.TrueFalse }
        val typed = assertFailsWith<SkillpackException.InvalidInput> { app.answerTyped(module, choice.id, "1") }
        assertTrue(typed.detail.contains("not answered by typing"), typed.detail)
    }

    check("points read the same as on every phone") {
        assertEquals(listOf("7", "7.5", "1.3"), listOf(7000u, 7500u, 1250u).map { pointsText(it) })
    }

    check("an attempt is answered and submitted, and its signed record is kept") {
        val attempt = app.startAttempt(module)
        assertTrue(attempt.questions.size > 1)
        // One question answered (and its answer changed once): one of several cannot reach
        // the pass mark, so the attempt fails, as the cooldown check below needs.
        val first = attempt.questions.first { answerFor(it.kind) != null }
        app.answer(module, first.id, answerFor(first.kind)!!)
        app.answer(module, first.id, answerFor(first.kind)!!)
        assertEquals(mapOf(first.id to answerFor(first.kind)!!), app.startAttempt(module).answers, "resumed with its answer")
        val submitted = app.submit(module)
        assertTrue(submitted.outcome.maxScore > 0u)
        assertEquals(attempt.questions.size, submitted.outcome.results.size)
        val result = app.results().single()
        assertEquals(submitted.recordId, result.recordId)
        assertEquals(false, result.synced)
        assertTrue(Math.abs(result.endedAt - System.currentTimeMillis()) < 600_000, "ended at ${result.endedAt}")
        assertTrue(result.signedJson.contains(submitted.recordId))
        assertTrue(result.signedJson.contains("\"signature\""))
    }

    check("a failed attempt cools the module down until a time the shell can show") {
        val e = assertFailsWith<SkillpackException.CoolingDown> { app.startAttempt(module) }
        assertTrue(e.until > System.currentTimeMillis(), "until ${e.until}")
        assertTrue(app.catalog().single { it.id == module }.state is ModuleState.CoolingDown)
    }

    check("settings round-trip, with the data budget") {
        val settings = app.settings().copy(media = Rendition.LOW, unmeteredOnly = true, monthlyBudgetMb = 50u, language = "sw")
        app.setSettings(settings)
        assertEquals(settings, app.settings())
        assertEquals(false, app.maySync(metered = true))
        assertEquals(true, app.maySync(metered = false))
        app.setSettings(settings.copy(unmeteredOnly = false))
        assertEquals(true, app.maySync(metered = true), "nothing used of 50 MB yet")
        val refused = assertFailsWith<SkillpackException.InvalidInput> { app.setSettings(settings.copy(language = "not a tag")) }
        assertTrue(refused.detail.contains("BCP 47"), refused.detail)
        assertEquals(settings.copy(unmeteredOnly = false), app.settings())
    }

    check("a wrong enrolment code is refused with the hub's code") {
        val e = assertFailsWith<SkillpackException.Server> { app.register(hub, "WRONG-CODE-0000") }
        assertEquals("bad_enrolment_code", e.code)
    }

    check("the device registers with a trainer's enrolment code") {
        assertEquals("riders", app.register(hub, code))
    }

    check("a cancelled sync stops and keeps the results waiting") {
        assertFailsWith<SkillpackException.Cancelled> { app.syncNow(false, CountingListener(cancel = true)) }
        assertTrue(app.results().none { it.synced })
    }

    check("on metered data, a learner who chose unmetered only is not synced") {
        val saved = app.settings()
        app.setSettings(saved.copy(unmeteredOnly = true))
        assertFailsWith<SkillpackException.Offline> { app.syncNow(true, null) }
        assertEquals(0uL, app.meteredUseThisMonth())
        app.setSettings(saved)
    }

    check("sync sends the results and installs the group's packs, with progress, counting metered data") {
        val listener = CountingListener()
        val report = app.syncNow(true, listener)
        assertEquals(1u, report.pushed)
        assertEquals(listOf("safe-riding 1.0.0"), report.installed.map { "${it.id} ${it.version}" })
        assertEquals(emptyList(), report.deferred, "it fits the 50 MB budget")
        val used = app.meteredUseThisMonth()
        assertTrue(used > listener.last.second, "counted $used bytes, more than the pack's ${listener.last.second}")
        app.syncNow(false, null)
        assertEquals(used, app.meteredUseThisMonth(), "Wi-Fi is not counted")
        assertTrue(listener.calls > 0)
        assertEquals(listener.last.first, listener.last.second, "ends at 100%")
        assertTrue(app.results().all { it.synced })
        assertTrue(app.catalog().any { it.id == "safe-riding" })
        assertEquals(0u, app.syncNow(false, null).pushed, "nothing twice")
    }

    val graduateKeys = MemoryKeys()
    check("a passed module earns a credential the phone takes at sync, hands out and verifies") {
        val phone = Skillpack.open(File(work, "graduate").apply { mkdirs() }.path, graduateKeys)
        phone.trustPublisherOf(pack, "Demo trainer")
        assertEquals("graduates", phone.register(hub, env("SKILLPACK_GRADUATES_CODE")))
        assertEquals(listOf("road-signs 1.0.0"), phone.syncNow(false, null).installed.map { "${it.id} ${it.version}" })
        val quiz = "road-signs"
        for (question in phone.startAttempt(quiz).questions) {
            phone.answer(quiz, question.id, answerFor(question.kind)!!)
        }
        assertTrue(phone.submit(quiz).outcome.passed)
        val report = phone.syncNow(false, null)
        assertEquals(1u, report.pushed)
        assertEquals(1u, report.credentials, "taken at the sync that sent the pass")
        val held = phone.credentials().single()
        assertEquals(quiz, held.moduleId)
        assertTrue(held.revocation is RevocationView.NotRevoked, "checked at the same sync: ${held.revocation}")
        assertEquals(null, held.revocationProblem)
        assertTrue(held.trustedIssuer, "the hub's issuer key, endorsed by the trusted publisher")
        assertEquals("Salama Riders Trust", held.issuerName)
        val json = phone.credentialJson(held.id)
        val online = phone.verifyCredential(json, true)
        assertTrue(online.valid, "${online.problem}")
        assertEquals(RevocationStatus.NotRevoked, online.revocation)
        assertEquals(phone.learnerDid(), online.learner)
        val qr = phone.credentialQr(held.id)
        assertTrue(qr.startsWith("SP3:") && qr.length < json.length, "${qr.length} characters")
        assertTrue(phone.verifyCredential(qr, false).valid)
        val changed = phone.verifyCredential(json.replace("Reading road signs", "Reading maps"), false)
        assertEquals(false, changed.valid)
        assertTrue(changed.problem!!.contains("signature"), changed.problem)
        val e = assertFailsWith<SkillpackException.InvalidInput> { app.addCredential(json) }
        assertTrue(e.detail.contains("another learner"), e.detail)
    }

    check("a credential the trainer revoked shows as revoked, with the trainer's reason, after one sync") {
        val phone = Skillpack.open(File(work, "graduate").path, graduateKeys)
        val id = phone.credentials().single().id
        val reason = "the quiz was taken by someone else"
        val revoke = ProcessBuilder(
            env("SKILLPACK_BIN"), "hub", "revoke", "--db", env("SKILLPACK_DB"), id,
            "--reason", reason, "--by", "Wanjiru",
        ).redirectErrorStream(true).start()
        val said = revoke.inputStream.bufferedReader().readText()
        assertEquals(0, revoke.waitFor(), said)
        val report = phone.syncNow(false, null)
        assertEquals(listOf(id), report.revoked.map { it.id })
        assertEquals(reason, report.revoked.single().reason)
        assertEquals(emptyList(), report.listsUnread)
        val held = phone.credentials().single()
        val revoked = held.revocation as RevocationView.Revoked
        assertEquals(reason, revoked.reason)
        assertTrue(Math.abs(revoked.seenAt - System.currentTimeMillis()) < 600_000, "seen at ${revoked.seenAt}")
        assertEquals(emptyList(), phone.syncNow(false, null).revoked, "told once")
        assertTrue(phone.credentials().single().revocation is RevocationView.Revoked, "still revoked")
        phone.closeStore()
    }

    check("a worker presents a credential; a client's phone checks it offline, once, revoked by the list it carries") {
        val phone = Skillpack.open(File(work, "graduate").path, graduateKeys)
        val client = Skillpack.open(File(work, "client").apply { mkdirs() }.path, MemoryKeys())
        client.trustPublisherOf(pack, "Demo trainer")
        val challenge = client.presentationChallenge("client.example")
        val held = phone.credentials().single()
        val shown = phone.presentCredentials(listOf(held.id), challenge, "client.example")
        val check = client.verifyPresentation(shown, true)
        // Signed by the worker over this challenge, and the credential's issuer revoked it:
        // not valid, and it says which and by whose list.
        assertEquals(false, check.valid)
        assertTrue(check.problem!!.contains("revoked"), check.problem)
        assertEquals(phone.learnerDid(), check.holder)
        assertTrue(check.answersChallenge)
        val only = check.credentials.single()
        assertEquals(held.id, only.id)
        assertTrue(only.trustedIssuer, "the hub's issuer, endorsed by the publisher the client trusts")
        assertTrue(only.revocation is ListedRevocation.Revoked, "the issuer's signed list, carried: ${only.revocation}")
        val replayed = client.verifyPresentation(shown, true)
        assertEquals(false, replayed.valid)
        assertTrue(replayed.problem!!.contains("replay"), replayed.problem)
        val fresh = phone.presentCredentials(listOf(held.id), client.presentationChallenge(null), null)
        val changed = client.verifyPresentation(fresh.replace("Reading road signs", "Reading maps"), true)
        assertEquals(false, changed.valid)
        assertTrue(changed.problem!!.contains("signature"), changed.problem)
        phone.closeStore()
        client.closeStore()
    }

    check("a weak backup passphrase is refused with the fewest characters to ask for") {
        val e = assertFailsWith<SkillpackException.WeakPassphrase> { app.exportIdentity("short") }
        assertEquals(10u, e.minChars)
    }

    check("the identity moves to a second phone from its QR codes, which registers for the same learner") {
        val passphrase = "blue kettle market road"
        val backup = app.exportIdentity(passphrase)
        assertTrue(backup.armored.startsWith("-----BEGIN AGE ENCRYPTED FILE-----"), backup.armored)
        assertTrue(backup.qrParts.size >= 2, "${backup.qrParts}")
        val keys = MemoryKeys()
        val phone = Skillpack.open(File(work, "second-phone").apply { mkdirs() }.path, keys)
        assertTrue(phone.learnerDid() != app.learnerDid(), "a fresh learner until restored")
        assertFailsWith<SkillpackException.WrongPassphrase> { phone.restoreIdentity(backup.armored, "$passphrase!") }
        val scanned = backup.qrParts.reversed().joinToString("\n")
        assertEquals(app.learnerDid(), phone.restoreIdentity(scanned, passphrase))
        assertEquals(app.learnerDid(), phone.learnerDid())
        val reopened = Skillpack.open(File(work, "second-phone").path, keys)
        assertEquals(app.learnerDid(), reopened.learnerDid(), "kept across restarts")
        assertEquals("riders", phone.register(hub, code))
        val untrusting = phone.syncNow(false, null)
        assertEquals(app.results().size.toUInt(), untrusting.history, "the first phone's attempts come back")
        assertEquals(emptyList(), untrusting.historyRefused)
        assertEquals(
            app.results().map { it.recordId }.toSet(),
            phone.results().filter { it.otherDevice }.map { it.recordId }.toSet(),
            "the results screen shows the first phone's results"
        )
        assertFailsWith<SkillpackException.InvalidInput> { phone.takeRelayAnswer("not an answer".toByteArray()) }
        assertEquals(emptyList(), untrusting.installed, "nothing from a publisher it does not trust")
        assertEquals(listOf("safe-riding"), untrusting.untrusted.map { it.id })
        assertTrue(untrusting.untrusted.single().publisher.startsWith("did:key:z6Mk"), "${untrusting.untrusted}")
        assertEquals(null, untrusting.unfinished, "the sync itself went to its end")
        phone.trustPublisherOf(pack, "Demo trainer")
        assertEquals(listOf("safe-riding 1.0.0"), phone.syncNow(false, null).installed.map { "${it.id} ${it.version}" })
    }

    check("a phone joins from the enrolment link alone and installs the group's packs") {
        val phone = Skillpack.open(File(work, "joining-phone").apply { mkdirs() }.path, MemoryKeys())
        assertFailsWith<SkillpackException.InvalidInput> {
            phone.joinGroup("skillpack://join?hub=http%3A%2F%2Fhub.example.org&code=ABCD-EFGH-JKLM")
        }
        assertEquals("riders", phone.joinGroup(env("SKILLPACK_JOIN_LINK")))
        assertEquals(listOf("safe-riding 1.0.0"), phone.syncNow(false, null).installed.map { "${it.id} ${it.version}" })
    }

    check("a phone that already speaks for its learner refuses another identity") {
        val stranger = Skillpack.open(File(work, "stranger").apply { mkdirs() }.path, MemoryKeys())
        val other = stranger.exportIdentity("another long passphrase")
        val before = app.learnerDid()
        assertFailsWith<SkillpackException.IdentityInUse> { app.restoreIdentity(other.armored, "another long passphrase") }
        assertEquals(before, app.learnerDid())
        assertTrue(app.results().isNotEmpty(), "its results are untouched")
    }

    check("a key store that throws becomes an error, not a crash") {
        val e = assertFailsWith<SkillpackException.Storage> {
            Skillpack.open(File(work, "broken").apply { mkdirs() }.path, BrokenKeys())
        }
        assertTrue(e.detail.contains("keystore locked"), e.detail)
    }

    check("after close every call answers Closed") {
        val other = Skillpack.open(File(work, "closing").apply { mkdirs() }.path, MemoryKeys())
        other.closeStore()
        assertFailsWith<SkillpackException.Closed> { other.catalog() }
    }

    // The cost of one call across the FFI, measured here on the JVM (JNA), as the
    // Android app pays it (figures for docs/benchmarks.md; no target is checked here).
    check("call cost is measured") {
        // The median of many short rounds, each call kind on its own: one long loop let a
        // pause of the JVM or the disk land in whichever figure it fell on.
        fun medianUs(rounds: Int, calls: Int, call: () -> Unit): Double {
            repeat(calls * 10) { call() }
            val perRound = (1..rounds).map {
                val t = System.nanoTime()
                repeat(calls) { call() }
                (System.nanoTime() - t) / 1000.0 / calls
            }.sorted()
            return perRound[rounds / 2]
        }
        val trivialUs = medianUs(101, 200) { app.learnerDid() }
        val lessonUs = medianUs(101, 20) { app.lesson("safe-riding", 0u) }
        val attempt = app.startAttempt("safe-riding")
        val q = attempt.questions.first { answerFor(it.kind) != null }
        val answer = answerFor(q.kind)!!
        val answerUs = medianUs(101, 20) { app.answer("safe-riding", q.id, answer) }
        println("figure: lesson call %.1f us, answer call %.1f us, trivial call %.1f us".format(lessonUs, answerUs, trivialUs))
    }

    app.closeStore()
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
