"""The few sentences the engine and the plan renderer write themselves, per language.

Pack text is translated in the packs (``i18n/<language>.yaml``); these are the words around it.
A plain table rather than gettext keeps ``knowledge`` free of I/O; the web interface uses
gettext catalogs for its own, much larger, set of strings.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "not_asked": "not asked",
        "declined": "you chose not to say",
        "not_sure": "you were not sure",
        "not_applicable": "does not apply",
        "yes": "Yes",
        "no": "No",
        "phase.safety": "Safety now",
        "phase.report": "Report it",
        "phase.escalate": "If nothing happens",
        "phase.support": "Support and legal help",
        "phase.evidence": "Keep evidence",
        "unit.year": "year|years",
        "unit.month": "month|months",
        "unit.week": "week|weeks",
        "unit.day": "day|days",
        "and": " and ",
        "less": " less {amount} {unit}",
        "counting": " (weekends and holidays count",
        "rolls": "; a last day on a weekend moves to the Monday",
        "disclaimer": (
            "This plan gives information, not legal advice. Laws, numbers and deadlines change: "
            "check the sources, and talk to a lawyer or advocate about your own situation if you can."
        ),
        "cli.tried_pick": "Type the numbers of those you told, or press Enter if none:",
        "cli.tried_outcome": "{label}: what came of it?",
        "cli.tried_when": "When? Type a date like 2026-03-02 or a month like 2026-03 (Enter to skip):",
        "cli.outcomes": "Still waiting|They refused|No answer|Done|Resolved",
        "cli.intro": "Answer what you can. You can skip any question.",
        "cli.keys": "b = back · s = I'd rather not say · ? = why we ask · q = stop",
        "cli.progress": "Question {number} of about {total}",
        "cli.thanks": "Thank you. Here is your plan.",
        "cli.your_answer": "your answer",
        "cli.kept_answer": "Your answer: {answer}",
        "cli.keep": "Press Enter to keep your answer.",
        "cli.danger_heading": "If you are in danger now",
        "cli.safety_so_far": "Before you go, the safety information so far:",
        "cli.emergency_call": "In an emergency, call {number}.",
        "cli.danger_stop_offer": (
            "You can stop here: your plan can continue later. Or answer a few more questions"
            " for your plan."
        ),
        "cli.danger_prompt": "Press Enter to continue, or type q to stop here:",
        "cli.danger_stopped": "Stopped. When you are safe, run `ally plan` again to finish your plan.",
        "cli.text_to": "text {number}",
        "cli.first": "This is the first question.",
        "cli.why_default": "This helps us find the help that fits you.",
        "cli.type_numbers": "Type the numbers that fit, separated by spaces:",
        "cli.type_date": "Type a date like {example}, a month like {month}, or '{relative}':",
        "cli.month_example": "March",
        "cli.relative_example": "last week",
        "cli.type_number_rough": "Type a number (a rough guess like '{rough}' is fine):",
        "cli.rough_example": "about 50",
        "cli.type_number": "Type a number:",
        "cli.pick_shown": "Please type one of the numbers shown, or s to skip.",
        "cli.rather_not_say": "I'd rather not say",
        "cli.not_sure": "Not sure",
        "cli.where": "Where are you?",
        "cli.where_why": "This picks the laws and services that apply.",
        "cli.pick_above": "Please type one of the numbers above.",
        "cli.saved": "Your answers are saved in {target}. Use --resume {target} to continue.",
        "plan.title": "Your plan",
        "plan.untranslated": "Parts of this plan are not translated yet and are shown in English.",
        "plan.danger": "If you are in danger, call {number}.",
        "plan.still_possible": "What you can still do: {steps}.",
        "plan.told_us": "What you told us",
        "plan.sources": "Sources",
        "plan.secondary": "secondary source",
        "plan.checked": "checked {date}",
        "urgency.now": "Do this now",
        "urgency.soon": "Soon",
        "urgency.when_ready": "When you are ready",
        "may_apply": "may apply (some answers were not given)",
        "who": "Who",
        "why": "Why",
        "how": "How",
        "bring": "Bring",
        "contacts": "Contacts",
        "near_you": "Help near you",
        "km_away": "{km} km away",
        "deadlines": "Deadlines",
        "phone": "phone",
        "text": "text",
        "if_refused": "If they refuse",
        "if_no_answer": "If there is no answer within {days} days",
        "next": "go on to “{title}”.",
        "deadline.counted_from": "counted from {start}: {length}",
        "deadline.by": "by {due} ({status}); from {start}",
        "deadline.earliest": " (earliest possible date)",
        "deadline.left": "{days} days left",
        "deadline.passed": (
            "passed {days} days ago; ask a lawyer, or the body ({body}), if it can be extended"
        ),
        "deadline.with": "{title}{maybe}: {when}.",
        "deadline.maybe": " (may apply)",
        "counted.answer": "Counted from {date}, the date you gave for {what}.",
        "counted.answer_first_day": (
            "Counted from {date}, the first day of {given}, the time you gave for {what}: "
            "the earliest it could have been, to be safe."
        ),
        "counted.journal": (
            "Counted from {date}: your journal has an incident on that day, later than the "
            "date you gave for {what}."
        ),
        "counted.event": "Counted from {date}, the day you recorded in your case: {what}.",
        "counted.not_yet": "Not known yet: it is counted from {what}, which Ally does not know.",
        "section.done": "Already done",
        "outcome.waiting": "waiting for an answer",
        "outcome.refused": "they refused",
        "outcome.no-answer": "no answer",
        "outcome.done": "done",
        "outcome.resolved": "resolved",
        "because.escalated": "“{title}”: {outcome}{when}.",
        "because.next": "This is the next step.",
        "because.told": "First, because you told us about: {answers}.",
        "because.instead": "In place of “{title}”, as that is who is doing it.",
        "because.deadline": "Its deadline is {days} days away.",
        "because.may": "May apply: it depends on what you did not say ({missing}).",
        "start.title": "Start here",
        "start.danger": "You said you may be in danger: this comes before anything else.",
        "start.safety": "Your safety comes first.",
        "start.deadline": "{title}: the last day is {due}, {days} days from today.",
        "start.evidence": (
            "Posts and messages can be deleted at any time: save them before you report anything."
        ),
        "start.also": "Also close: {deadlines}.",
        "start.see": "step {number}",
        "deadlines.not_known": "last day not known yet",
        "deadlines.passed": "{due}, passed",
        "deadlines.left": "{due}, {days} days left",
        "deadlines.title": "Deadlines",
        "deadlines.unknown": "counted from {start}; Ally does not know that date yet",
        "done.line": "{outcome}{when}",
        "contact.again": "{name} (see above)",
        "plan.step_sources": "Sources",
        "counted.journal_locked": (
            "Your journal is locked, so incidents recorded in it were not counted."
        ),
    },
    "es": {
        "not_asked": "no se preguntó",
        "declined": "prefirió no decirlo",
        "not_sure": "no estaba segura o seguro",
        "not_applicable": "no aplica",
        "yes": "Sí",
        "no": "No",
        "phase.safety": "Seguridad ahora",
        "phase.report": "Denunciarlo",
        "phase.escalate": "Si no pasa nada",
        "phase.support": "Apoyo y ayuda legal",
        "phase.evidence": "Guardar pruebas",
        "unit.year": "año|años",
        "unit.month": "mes|meses",
        "unit.week": "semana|semanas",
        "unit.day": "día|días",
        "and": " y ",
        "less": " menos {amount} {unit}",
        "counting": " (cuentan los fines de semana y festivos",
        "rolls": "; si el último día cae en fin de semana, pasa al lunes",
        "disclaimer": (
            "Este plan da información, no asesoría legal. Las leyes, los teléfonos y los plazos "
            "cambian: revise las fuentes y, si puede, hable de su caso con un abogado o una "
            "persona de apoyo."
        ),
        "cli.tried_pick": "Escriba los números de a quién se lo dijo, o pulse Intro si a nadie:",
        "cli.tried_outcome": "{label}: ¿qué pasó?",
        "cli.tried_when": "Escriba cuándo, como 2026-03-02 o un mes como 2026-03 (Intro para saltar):",
        "cli.outcomes": "Sigo esperando|Se negaron|No respondieron|Hecho|Resuelto",
        "cli.intro": "Responda lo que pueda. Puede saltarse cualquier pregunta.",
        "cli.keys": "b = atrás · s = prefiero no decirlo · ? = por qué preguntamos · q = parar",
        "cli.progress": "Pregunta {number} de unas {total}",
        "cli.thanks": "Gracias. Este es su plan.",
        "cli.your_answer": "su respuesta",
        "cli.kept_answer": "Su respuesta: {answer}",
        "cli.keep": "Pulse Intro para mantener su respuesta.",
        "cli.danger_heading": "Si está en peligro ahora",
        "cli.safety_so_far": "Antes de irse, la información de seguridad hasta ahora:",
        "cli.emergency_call": "En una emergencia, llame al {number}.",
        "cli.danger_stop_offer": (
            "Puede detenerse aquí: su plan puede continuar más tarde. O responda unas preguntas"
            " más para su plan."
        ),
        "cli.danger_prompt": "Pulse Intro para continuar, o escriba q para detenerse aquí:",
        "cli.danger_stopped": (
            "Se detuvo. Cuando esté a salvo, vuelva a ejecutar `ally plan` para terminar su plan."
        ),
        "cli.text_to": "mensaje de texto al {number}",
        "cli.first": "Esta es la primera pregunta.",
        "cli.why_default": "Esto nos ayuda a encontrar la ayuda que le corresponde.",
        "cli.type_numbers": "Escriba los números que correspondan, separados por espacios:",
        "cli.type_date": "Escriba una fecha como {example}, un mes como {month}, o '{relative}':",
        "cli.month_example": "marzo",
        "cli.relative_example": "la semana pasada",
        "cli.type_number_rough": "Escriba un número (un cálculo aproximado como '{rough}' sirve):",
        "cli.rough_example": "unos 50",
        "cli.type_number": "Escriba un número:",
        "cli.pick_shown": "Escriba uno de los números que se muestran, o s para saltar.",
        "cli.rather_not_say": "Prefiero no decirlo",
        "cli.not_sure": "No estoy segura o seguro",
        "cli.where": "¿Dónde está?",
        "cli.where_why": "Así elegimos las leyes y los servicios que le corresponden.",
        "cli.pick_above": "Escriba uno de los números de arriba.",
        "cli.saved": "Sus respuestas están guardadas en {target}. Use --resume {target} para seguir.",
        "plan.title": "Su plan",
        "plan.untranslated": (
            "Algunas partes de este plan todavía no están traducidas y aparecen en inglés."
        ),
        "plan.danger": "Si está en peligro, llame al {number}.",
        "plan.still_possible": "Lo que todavía puede hacer: {steps}.",
        "plan.told_us": "Lo que nos dijo",
        "plan.sources": "Fuentes",
        "plan.secondary": "fuente secundaria",
        "plan.checked": "revisada el {date}",
        "urgency.now": "Hágalo ahora",
        "urgency.soon": "Pronto",
        "urgency.when_ready": "Cuando esté lista o listo",
        "may_apply": "puede aplicar (faltan algunas respuestas)",
        "who": "A quién",
        "why": "Por qué",
        "how": "Cómo",
        "bring": "Qué llevar",
        "contacts": "Contactos",
        "near_you": "Ayuda cerca de usted",
        "km_away": "a {km} km",
        "deadlines": "Plazos",
        "phone": "teléfono",
        "text": "mensaje de texto",
        "if_refused": "Si se niegan",
        "if_no_answer": "Si no responden en {days} días",
        "next": "pase a «{title}».",
        "deadline.counted_from": "se cuenta desde {start}: {length}",
        "deadline.by": "hasta el {due} ({status}); desde el {start}",
        "deadline.earliest": " (la fecha más temprana posible)",
        "deadline.left": "quedan {days} días",
        "deadline.passed": (
            "venció hace {days} días; pregunte a un abogado, o a la entidad ({body}), "
            "si se puede ampliar"
        ),
        "deadline.with": "{title}{maybe}: {when}.",
        "deadline.maybe": " (puede aplicar)",
        "counted.answer": "Contado desde el {date}, la fecha que indicó para {what}.",
        "counted.answer_first_day": (
            "Contado desde el {date}, el primer día de {given}, el periodo que indicó para "
            "{what}: lo más pronto que pudo ser, por seguridad."
        ),
        "counted.journal": (
            "Contado desde el {date}: su diario tiene un incidente ese día, posterior a la "
            "fecha que indicó para {what}."
        ),
        "counted.event": "Contado desde el {date}, el día que anotó en su caso: {what}.",
        "counted.not_yet": ("Aún no se sabe: se cuenta desde {what}, que Ally no conoce."),
        "section.done": "Ya hecho",
        "outcome.waiting": "esperando respuesta",
        "outcome.refused": "se negaron",
        "outcome.no-answer": "no respondieron",
        "outcome.done": "hecho",
        "outcome.resolved": "resuelto",
        "because.escalated": "“{title}”: {outcome}{when}.",
        "because.next": "Este es el siguiente paso.",
        "because.told": "Primero, porque nos habló de: {answers}.",
        "because.instead": "En lugar de “{title}”, porque es quien lo hace.",
        "because.deadline": "Su plazo vence en {days} días.",
        "because.may": "Puede aplicar: depende de lo que no nos dijo ({missing}).",
        "start.title": "Empiece aquí",
        "start.danger": "Nos dijo que puede estar en peligro: esto va antes que todo lo demás.",
        "start.safety": "Su seguridad es lo primero.",
        "start.deadline": "{title}: el último día es el {due}, dentro de {days} días.",
        "start.evidence": (
            "Las publicaciones y los mensajes se pueden borrar en cualquier momento: "
            "guárdelos antes de denunciar."
        ),
        "start.also": "También vencen pronto: {deadlines}.",
        "start.see": "paso {number}",
        "deadlines.not_known": "aún no se sabe el último día",
        "deadlines.passed": "{due}, ya venció",
        "deadlines.left": "{due}, quedan {days} días",
        "deadlines.title": "Plazos",
        "deadlines.unknown": "se cuenta desde {start}; Ally aún no conoce esa fecha",
        "done.line": "{outcome}{when}",
        "contact.again": "{name} (ver arriba)",
        "plan.step_sources": "Fuentes",
        "counted.journal_locked": (
            "Su diario está bloqueado, así que no se contaron los incidentes anotados en él."
        ),
    },
    "fr": {
        "not_asked": "pas demandé",
        "declined": "vous avez préféré ne pas répondre",
        "not_sure": "vous n'étiez pas sûr·e",
        "not_applicable": "ne s'applique pas",
        "yes": "Oui",
        "no": "Non",
        "phase.safety": "Votre sécurité d'abord",
        "phase.report": "Le signaler",
        "phase.escalate": "Si rien ne se passe",
        "phase.support": "Soutien et aide juridique",
        "phase.evidence": "Garder des preuves",
        "unit.year": "an|ans",
        "unit.month": "mois|mois",
        "unit.week": "semaine|semaines",
        "unit.day": "jour|jours",
        "and": " et ",
        "less": " moins {amount} {unit}",
        "counting": " (les fins de semaine et les jours fériés comptent",
        "rolls": "; un dernier jour tombant une fin de semaine passe au lundi",
        "disclaimer": (
            "Ce plan donne des informations, pas des conseils juridiques. Les lois, les numéros "
            "et les délais changent : vérifiez les sources et, si vous le pouvez, parlez de "
            "votre situation à un avocat ou à une personne qui accompagne les victimes."
        ),
        "cli.tried_pick": "Tapez les numéros de ceux que vous avez prévenus, ou Entrée si aucun :",
        "cli.tried_outcome": "{label} : qu'en est-il ressorti ?",
        "cli.tried_when": "Tapez quand, comme 2026-03-02 ou un mois comme 2026-03 (Entrée pour passer) :",
        "cli.outcomes": "J'attends encore|Refus|Pas de réponse|Fait|Résolu",
        "cli.intro": "Répondez à ce que vous pouvez. Vous pouvez passer n'importe quelle question.",
        "cli.keys": "b = retour · s = je préfère ne pas répondre · ? = pourquoi · q = arrêter",
        "cli.progress": "Question {number} sur environ {total}",
        "cli.thanks": "Merci. Voici votre plan.",
        "cli.your_answer": "votre réponse",
        "cli.kept_answer": "Votre réponse : {answer}",
        "cli.keep": "Appuyez sur Entrée pour garder votre réponse.",
        "cli.danger_heading": "Si vous êtes en danger maintenant",
        "cli.safety_so_far": "Avant de partir, les informations de sécurité jusqu’ici :",
        "cli.emergency_call": "En cas d’urgence, appelez le {number}.",
        "cli.danger_stop_offer": (
            "Vous pouvez vous arrêter ici : votre plan pourra continuer plus tard. Ou répondez à"
            " quelques questions de plus pour votre plan."
        ),
        "cli.danger_prompt": "Appuyez sur Entrée pour continuer, ou tapez q pour vous arrêter ici :",
        "cli.danger_stopped": (
            "Arrêté. Quand vous serez en sécurité, relancez `ally plan` pour terminer votre plan."
        ),
        "cli.text_to": "SMS au {number}",
        "cli.first": "C'est la première question.",
        "cli.why_default": "Cela nous aide à trouver l'aide qui vous convient.",
        "cli.type_numbers": "Tapez les numéros qui correspondent, séparés par des espaces :",
        "cli.type_date": "Tapez une date comme {example} ou un mois comme {month} :",
        "cli.month_example": "2026-03",
        "cli.relative_example": "",
        "cli.type_number_rough": "Tapez un nombre (une estimation suffit, par exemple {rough}) :",
        "cli.rough_example": "50",
        "cli.type_number": "Tapez un numéro :",
        "cli.pick_shown": "Tapez un des numéros affichés, ou s pour passer.",
        "cli.rather_not_say": "Je préfère ne pas répondre",
        "cli.not_sure": "Pas sûr·e",
        "cli.where": "Où êtes-vous ?",
        "cli.where_why": "Cela choisit les lois et les services qui s'appliquent à vous.",
        "cli.pick_above": "Tapez un des numéros ci-dessus.",
        "cli.saved": (
            "Vos réponses sont enregistrées dans {target}. Utilisez --resume {target} pour continuer."
        ),
        "plan.title": "Votre plan",
        "plan.untranslated": (
            "Certaines parties de ce plan ne sont pas encore traduites et s'affichent en anglais."
        ),
        "plan.danger": "Si vous êtes en danger, appelez le {number}.",
        "plan.still_possible": "Ce que vous pouvez encore faire : {steps}.",
        "plan.told_us": "Ce que vous nous avez dit",
        "plan.sources": "Sources",
        "plan.secondary": "source secondaire",
        "plan.checked": "vérifiée le {date}",
        "urgency.now": "À faire maintenant",
        "urgency.soon": "Bientôt",
        "urgency.when_ready": "Quand vous serez prêt·e",
        "may_apply": "peut s'appliquer (certaines réponses manquent)",
        "who": "À qui",
        "why": "Pourquoi",
        "how": "Comment",
        "bring": "Quoi apporter",
        "contacts": "Contacts",
        "near_you": "Aide près de chez vous",
        "km_away": "à {km} km",
        "deadlines": "Délais",
        "phone": "téléphone",
        "text": "texto",
        "if_refused": "S'ils refusent",
        "if_no_answer": "S'il n'y a pas de réponse sous {days} jours",
        "next": "passez à « {title} ».",
        "deadline.counted_from": "compté à partir du {start} : {length}",
        "deadline.by": "d'ici le {due} ({status}) ; à partir du {start}",
        "deadline.earliest": " (la date la plus proche possible)",
        "deadline.left": "{days} jours restants",
        "deadline.passed": (
            "dépassé depuis {days} jours ; demandez à un avocat, ou à l'organisme ({body}), "
            "s'il peut être prolongé"
        ),
        "deadline.with": "{title}{maybe} : {when}.",
        "deadline.maybe": " (peut s'appliquer)",
        "counted.answer": "Compté à partir du {date}, la date que vous avez donnée pour {what}.",
        "counted.answer_first_day": (
            "Compté à partir du {date}, le premier jour de {given}, la période que vous avez "
            "donnée pour {what} : le plus tôt possible, par prudence."
        ),
        "counted.journal": (
            "Compté à partir du {date} : votre journal contient un incident ce jour-là, "
            "postérieur à la date que vous avez donnée pour {what}."
        ),
        "counted.event": "Compté à partir du {date}, le jour inscrit dans votre dossier : {what}.",
        "counted.not_yet": "Pas encore connu : il est compté à partir de {what}, qu'Ally ne connaît pas.",
        "section.done": "Déjà fait",
        "outcome.waiting": "en attente de réponse",
        "outcome.refused": "refus",
        "outcome.no-answer": "pas de réponse",
        "outcome.done": "fait",
        "outcome.resolved": "résolu",
        "because.escalated": "« {title} » : {outcome}{when}.",
        "because.next": "C’est l’étape suivante.",
        "because.told": "En premier, parce que vous nous avez parlé de : {answers}.",
        "because.instead": "À la place de « {title} », puisque c’est cette personne qui le fait.",
        "because.deadline": "Son délai expire dans {days} jours.",
        "because.may": "Peut s’appliquer : cela dépend de ce que vous n’avez pas dit ({missing}).",
        "start.title": "Commencez ici",
        "start.danger": "Vous avez dit que vous êtes peut-être en danger : ceci passe avant tout le reste.",
        "start.safety": "Votre sécurité passe en premier.",
        "start.deadline": "{title} : le dernier jour est le {due}, dans {days} jours.",
        "start.evidence": (
            "Les publications et les messages peuvent être supprimés à tout moment : "
            "enregistrez-les avant de signaler quoi que ce soit."
        ),
        "start.also": "Aussi proches : {deadlines}.",
        "start.see": "étape {number}",
        "deadlines.not_known": "dernier jour encore inconnu",
        "deadlines.passed": "{due}, dépassé",
        "deadlines.left": "{due}, {days} jours restants",
        "deadlines.title": "Délais",
        "deadlines.unknown": "compté à partir de {start} ; Ally ne connaît pas encore cette date",
        "done.line": "{outcome}{when}",
        "contact.again": "{name} (voir plus haut)",
        "plan.step_sources": "Sources",
        "counted.journal_locked": (
            "Votre journal est verrouillé, donc les incidents qui y sont inscrits n'ont pas été "
            "comptés."
        ),
    },
}


def message(language: str, key: str, **values: object) -> str:
    """The message in ``language`` (English if there is none), with values filled in."""
    table = MESSAGES.get(language.split("-")[0], MESSAGES["en"])
    template = table.get(key, MESSAGES["en"][key])
    return template.format(**values) if values else template


def unit(language: str, name: str, amount: int) -> str:
    singular, plural = message(language, f"unit.{name}").split("|")
    return singular if amount == 1 else plural
