// Owns the demo community's content: support threads about Ondara, a fictional internet and phone
// provider, half in Spanish and half in English. Written by hand for demos and for the labelled search
// queries of bench/data/search-queries.json, which name threads by `key` (keep keys stable).
import type { Role } from '../../db/schema.ts';

export type DemoUserKey = 'staff' | 'moderator' | 'marta' | 'jorge' | 'lucia' | 'kike' | 'anna' | 'tom' | 'priya' | 'sam';

export interface DemoUser {
  key: DemoUserKey;
  username: string;
  role: Role;
}

/** The demo accounts. Passwords are generated at seed time, never stored here. */
export const DEMO_USERS: readonly DemoUser[] = [
  { key: 'staff', username: 'laura.ondara', role: 'staff' },
  { key: 'moderator', username: 'carlos.mod', role: 'moderator' },
  { key: 'marta', username: 'marta_g', role: 'member' },
  { key: 'jorge', username: 'jorge.r', role: 'member' },
  { key: 'lucia', username: 'lucia.fibra', role: 'member' },
  { key: 'kike', username: 'kike_dev', role: 'member' },
  { key: 'anna', username: 'anna.k', role: 'member' },
  { key: 'tom', username: 'tom.b', role: 'member' },
  { key: 'priya', username: 'priya.s', role: 'member' },
  { key: 'sam', username: 'sam_w', role: 'member' },
];

export interface DemoAnswer {
  author: DemoUserKey;
  body: string;
  /** Accepted by the asker. At most one per thread. */
  accepted?: boolean;
}

export interface SupportTopic {
  /** Stable identifier of the thread (the labelled search queries refer to it). */
  key: string;
  lang: 'es' | 'en';
  author: DemoUserKey;
  title: string;
  body: string;
  tags: string[];
  answers: DemoAnswer[];
}

const SPANISH: SupportTopic[] = [
  {
    key: 'es-router-wifi-se-cae',
    lang: 'es',
    author: 'marta',
    title: 'El wifi del router se desconecta cada pocos minutos',
    tags: ['router', 'wifi'],
    body: `Desde hace una semana el wifi de casa se corta cada 10 o 15 minutos. Los móviles y el portátil se desconectan a la vez y al cabo de un minuto vuelven a conectarse solos.

- Router: **Ondara Box 6** (el blanco que instalaron con la fibra)
- Por cable el ordenador no pierde la conexión
- Ya lo he reiniciado varias veces

¿Alguien sabe por qué se cae el wifi si la fibra sigue funcionando?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Hola, Marta. Si por cable no se corta, la línea está bien y el problema es la red inalámbrica. Lo más habitual es una interferencia en el canal:

1. Entra en **http://192.168.1.1** con la clave de administración de la pegatina.
2. En *Wi-Fi → Avanzado*, cambia el canal de 2,4 GHz de *Automático* a **1, 6 u 11**.
3. Desactiva *Ahorro de energía Wi-Fi*, que en algunas versiones apaga la radio con poco tráfico.

Acabamos de publicar el firmware **6.2.14**, que corrige desconexiones con dispositivos Android; se instala solo esta noche si dejas el router encendido. Si sigue pasando, escríbenos por privado y cambiamos el equipo.`,
      },
      {
        author: 'kike',
        body: `A mí me pasaba lo mismo y era el microondas de la cocina: cada vez que lo encendían se caía la red de 2,4 GHz. Desde que conecto todo lo que puedo a la banda de **5 GHz** no he vuelto a tener cortes.`,
      },
    ],
  },
  {
    key: 'es-recibo-duplicado',
    lang: 'es',
    author: 'jorge',
    title: 'Me han cobrado el recibo dos veces este mes',
    tags: ['facturacion', 'pagos'],
    body: `En el extracto del banco aparecen dos cargos de Ondara con el mismo importe (45,90 €) y la misma fecha. En el área de cliente solo veo una factura de este mes.

¿Es un error vuestro o del banco? ¿Tengo que devolver uno de los recibos desde el banco o me lo devolvéis vosotros?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Hola, Jorge. Es un cargo duplicado por nuestra parte: el día 5 hubo un fallo en la remesa y a algunos clientes se les envió el recibo dos veces. **No lo devuelvas desde el banco**, porque una devolución bancaria marca la cuenta como impagada y puede suspender el servicio.

Ya hemos ordenado el reembolso del cargo repetido; lo verás en tu cuenta en **3 a 5 días hábiles** con el concepto *ONDARA ABONO*. Disculpa las molestias.`,
      },
      {
        author: 'marta',
        body: `Me pasó lo mismo y me lo devolvieron a los cuatro días sin hacer nada. Si no te llega, pide en el chat el justificante del abono.`,
      },
    ],
  },
  {
    key: 'es-cambiar-contrasena-wifi',
    lang: 'es',
    author: 'lucia',
    title: '¿Cómo cambio la clave de la red inalámbrica del módem?',
    tags: ['wifi', 'router', 'seguridad'],
    body: `Una vecina conoce la clave del wifi y quiero ponerle una nueva. La que viene en la pegatina del módem es muy larga y no sé dónde se cambia.

¿Hay que llamar al servicio técnico o lo puedo hacer yo desde el móvil?`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `Lo puedes hacer tú en dos minutos:

1. Conéctate a la red de casa y abre **http://192.168.1.1** (o la app *Mi Ondara → Mi router*).
2. Entra con el usuario \`admin\` y la contraseña de administración de la pegatina (no es la misma que la del wifi).
3. Ve a **Wi-Fi → Seguridad**, escribe la nueva contraseña (mínimo 12 caracteres) y guarda.

Todos los dispositivos se desconectarán y tendrás que volver a meter la clave nueva en cada uno. Aprovecha para dejar el cifrado en **WPA2/WPA3**.`,
      },
    ],
  },
  {
    key: 'es-roaming-europa',
    lang: 'es',
    author: 'marta',
    title: 'Viaje a Francia e Italia: ¿pagaré algo por usar datos allí?',
    tags: ['roaming', 'movil', 'tarifas'],
    body: `En agosto me voy dos semanas de viaje por Francia e Italia. Tengo la tarifa **Ondara Móvil 30 GB**.

¿Puedo usar los gigas y llamar igual que en España o me van a cobrar itinerancia? No quiero volver y encontrarme una factura de 200 euros.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `En la Unión Europea se aplica el **roaming como en casa**: llamadas, SMS y datos se descuentan de tu tarifa sin coste extra.

Lo único a tener en cuenta es la política de uso razonable: con *Ondara Móvil 30 GB* puedes gastar en la UE hasta **14 GB** al mes; a partir de ahí cada GB cuesta 2,42 € (IVA incluido). Te avisaremos por SMS al llegar al 80 %.

Fuera de la UE (Suiza, Andorra, Reino Unido...) se cobra aparte; consulta la tabla de zonas en la web.`,
      },
      {
        author: 'jorge',
        body: `Confirmo: estuve en Portugal y Francia en Semana Santa y no me cobraron nada. Eso sí, activa la itinerancia de datos en los ajustes del móvil antes de salir.`,
      },
    ],
  },
  {
    key: 'es-portabilidad',
    lang: 'es',
    author: 'jorge',
    title: 'Cuánto tarda en hacerse la portabilidad de mi número',
    tags: ['portabilidad', 'movil', 'alta'],
    body: `Me quiero pasar a Ondara desde otra compañía pero conservando mi número de móvil de siempre. ¿Cuántos días tarda el cambio? ¿Me quedaré sin línea en algún momento?

Tampoco sé si tengo que avisar yo a mi operador actual para darme de baja.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `No tienes que avisar a tu compañía actual: al pedir la portabilidad con nosotros, nosotros tramitamos la baja allí.

- La portabilidad se completa en **1 día hábil** desde que activas la SIM nueva.
- El cambio se hace de madrugada (entre las 2:00 y las 6:00); puedes quedarte sin servicio **unas horas** como mucho.
- Necesitas el DNI del titular y que el número esté a tu nombre.

Cuando recibas el SMS de confirmación, cambia la tarjeta SIM y reinicia el móvil.`,
      },
    ],
  },
  {
    key: 'es-reembolso-devolucion',
    lang: 'es',
    author: 'lucia',
    title: 'Devolví el router hace un mes y todavía no me han devuelto el dinero',
    tags: ['reembolso', 'devoluciones', 'router'],
    body: `Compré un router mesh en la tienda online, no me convenció y lo devolví con la etiqueta de devolución dentro del plazo de 14 días. Según el seguimiento os llegó el día 3, pero el dinero no aparece en la tarjeta.

¿Cuánto tarda el reembolso normalmente?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Hola, Lucía. Los reembolsos se emiten cuando el almacén revisa el producto, normalmente **5 días hábiles** tras recibirlo, y el banco tarda otros 3–7 días en reflejarlo en la tarjeta.

He revisado tu pedido: el almacén lo tenía pendiente de revisión por un error en la etiqueta. Ya está aprobado y el abono de **129 €** sale hoy. Te llegará un correo con el justificante.`,
      },
      {
        author: 'kike',
        body: `Si pagaste con PayPal suele ser más rápido, a mí me llegó el mismo día que lo aprobaron.`,
      },
    ],
  },
  {
    key: 'es-envio-pedido',
    lang: 'es',
    author: 'kike',
    title: 'Mi pedido del móvil lleva una semana en reparto',
    tags: ['envios', 'pedidos'],
    body: `Pedí un móvil libre en la web hace 8 días. El seguimiento dice **"En reparto"** desde el lunes y no avanza. El repartidor no ha pasado por casa y nadie me ha llamado.

¿A quién tengo que reclamar, a la empresa de mensajería o a vosotros?`,
    answers: [
      {
        author: 'moderator',
        body: `Reclama siempre a Ondara, no a la mensajería: el contrato de transporte es suyo. En el área de cliente, *Pedidos → Tengo un problema con el envío*, se abre una incidencia con el transportista.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Hola, Kike. El paquete se quedó retenido en la delegación de tu zona por una dirección incompleta (faltaba el piso). Lo hemos corregido y la entrega está programada para **mañana entre las 9:00 y las 14:00**. Si no vas a estar, puedes elegir un punto de recogida desde el enlace del SMS.`,
      },
    ],
  },
  {
    key: 'es-fibra-lenta',
    lang: 'es',
    author: 'lucia',
    title: 'Tengo fibra de 600 megas y los test de velocidad dan 90',
    tags: ['fibra', 'velocidad', 'wifi'],
    body: `Contraté la fibra de **600 Mb** y cuando hago el test de velocidad desde el portátil me salen entre 80 y 100 megas. En el móvil algo parecido.

¿Me están dando menos velocidad de la contratada? ¿Cómo lo compruebo para reclamar?`,
    answers: [
      {
        author: 'kike',
        accepted: true,
        body: `Antes de reclamar, haz el test **por cable**. Por wifi casi nunca vas a ver 600:

- Un portátil con wifi 5 a dos habitaciones del router da 100–300 Mb como mucho.
- Si el cable o la tarjeta de red es de 100 Mb (cable de categoría 5 antiguo), verás justo unos 94 megas. ¡Ese es tu número sospechoso!

Prueba con un cable **Cat 6** y un puerto gigabit; si ahí da 550–600, la línea va bien.`,
      },
      {
        author: 'staff',
        body: `Coincido con Kike. Si por cable sigue sin llegar, abre una incidencia desde *Mi Ondara → Averías → Velocidad* y haremos una medición remota desde la central.`,
      },
    ],
  },
  {
    key: 'es-esim-activar',
    lang: 'es',
    author: 'marta',
    title: 'No consigo activar la eSIM en el iPhone',
    tags: ['esim', 'movil', 'iphone'],
    body: `He pedido el cambio de SIM física a eSIM. Me llegó el correo con el código QR, pero al escanearlo el iPhone dice *"No se puede completar el cambio del plan celular"*.

Lo he intentado con wifi y con datos. ¿Puedo pedir otro QR?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Ese mensaje aparece cuando el QR ya se ha usado o ha caducado (son válidos **24 horas** y una sola vez). Te hemos generado uno nuevo en *Mi Ondara → Líneas → eSIM → Reenviar código*.

Para escanearlo:

1. Conecta el iPhone a una red **wifi** (no uses los datos de la línea que estás cambiando).
2. *Ajustes → Datos móviles → Añadir eSIM → Usar código QR*.
3. No borres la eSIM aunque tarde: la activación puede tardar hasta 15 minutos.`,
      },
    ],
  },
  {
    key: 'es-2fa-codigo-sms',
    lang: 'es',
    author: 'jorge',
    title: 'No me llega el SMS con el código de verificación para entrar en Mi Ondara',
    tags: ['area-cliente', 'seguridad', 'sms'],
    body: `Tengo activada la verificación en dos pasos en el área de cliente. Desde ayer, cuando intento iniciar sesión, pone que me ha enviado un código por SMS, pero no llega nunca.

Le he dado a reenviar varias veces. El móvil recibe otros SMS sin problema.`,
    answers: [
      {
        author: 'moderator',
        body: `Comprueba que no tengas bloqueados los remitentes cortos: algunos antivirus y apps de spam filtran los SMS de *ONDARA*. En Android mira en *Mensajes → Spam y bloqueados*.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Ayer por la tarde hubo un retraso en el envío de códigos de un proveedor de SMS; ya está solucionado. Si vuelve a pasar:

- Tras tres reenvíos el sistema bloquea nuevos códigos durante **30 minutos**; espera antes de volver a pedirlo.
- Puedes elegir **recibir el código por correo** en la pantalla de verificación (*Probar otro método*).
- Recomendamos configurar una app de autenticación (Google Authenticator, Authy) en *Seguridad → Verificación en dos pasos*.`,
      },
    ],
  },
  {
    key: 'es-baja-contrato',
    lang: 'es',
    author: 'kike',
    title: 'Quiero dar de baja la línea fija sin pagar penalización',
    tags: ['bajas', 'contrato', 'fijo'],
    body: `Ya no uso el teléfono fijo de casa, solo la fibra. ¿Puedo quitar la línea fija del paquete y pagar menos? Me da miedo que me cobren la penalización por incumplir el contrato.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Quitar el fijo no tiene penalización: la permanencia va ligada a la **fibra y al router**, no a la línea de voz.

Puedes darla de baja desde *Mi Ondara → Mi paquete → Modificar → Quitar línea fija*. Ten en cuenta que la cuota de la fibra sola es 3 € más barata, no más, porque el fijo venía incluido en la promoción. El número fijo se pierde salvo que lo portes a otra compañía antes.`,
      },
      {
        author: 'lucia',
        body: `Yo lo hice el mes pasado y efectivamente no me cobraron nada. Tardó un par de días en desaparecer de la factura.`,
      },
    ],
  },
  {
    key: 'es-factura-nif-empresa',
    lang: 'es',
    author: 'lucia',
    title: 'Necesito que la factura salga con los datos fiscales de mi empresa',
    tags: ['facturacion', 'empresas', 'iva'],
    body: `Soy autónoma y uso la línea para trabajar. La factura sale a mi nombre pero sin NIF ni dirección fiscal, y mi gestora dice que así no puedo desgravar el IVA.

¿Cómo cambio los datos de facturación? ¿Me podéis reenviar las facturas de los últimos meses corregidas?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Hola, Lucía. En *Mi Ondara → Facturas → Datos de facturación* puedes añadir el **NIF** y la **dirección fiscal**; desde el siguiente ciclo las facturas saldrán completas, con la base imponible y el IVA (21 %) desglosados.

Para las facturas anteriores, pide una **factura rectificativa** desde el chat indicando los meses: la emitimos en 48 horas. Por normativa solo podemos rectificar las del ejercicio fiscal actual.`,
      },
    ],
  },
  {
    key: 'es-cambio-titular',
    lang: 'es',
    author: 'marta',
    title: 'Cambio de titular del contrato por fallecimiento de mi padre',
    tags: ['contrato', 'titularidad'],
    body: `Mi padre falleció hace dos meses y el contrato de la fibra y el móvil estaba a su nombre. Queremos mantener el servicio y el número, pero a nombre de mi madre.

¿Qué documentos hacen falta? ¿Hay que pagar algo por el cambio?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Sentimos mucho tu pérdida, Marta. El cambio de titular por fallecimiento es **gratuito** y no reinicia la permanencia. Necesitamos:

- Certificado de defunción.
- DNI de la nueva titular y un número de cuenta a su nombre para la domiciliación.
- El formulario de cambio de titular firmado (lo descargas en la web, sección *Ayuda → Contrato*).

Puedes enviarlo todo desde el chat o llevarlo a cualquier tienda. Los números y servicios se mantienen igual.`,
      },
    ],
  },
  {
    key: 'es-permanencia-cambio-tarifa',
    lang: 'es',
    author: 'jorge',
    title: 'Si me cambio a una tarifa más barata, ¿vuelvo a tener permanencia?',
    tags: ['tarifas', 'permanencia', 'contrato'],
    body: `Llevo 10 meses con la tarifa de fibra + 2 líneas y me sobra casi todo. He visto que hay una más barata, pero tengo miedo de que al cambiar me pongan otros 12 meses de compromiso o me cobren algo.`,
    answers: [
      {
        author: 'moderator',
        body: `Cambiar de tarifa **no renueva la permanencia** salvo que el cambio lleve un descuento o un terminal nuevo. Si es un cambio normal, te quedarán los 2 meses que te faltan y listo.

Mira en el contrato la fecha de fin de permanencia: aparece en *Mi Ondara → Contratos*.`,
      },
      {
        author: 'staff',
        body: `Lo confirmo. Además, los cambios a una tarifa inferior se aplican desde el **siguiente ciclo de facturación**, así que este mes aún pagas la actual.`,
      },
    ],
  },
  {
    key: 'es-tecnico-no-vino',
    lang: 'es',
    author: 'kike',
    title: 'El técnico no se presentó a la cita de instalación',
    tags: ['instalacion', 'fibra', 'citas'],
    body: `Tenía cita para instalar la fibra el martes de 8 a 14. Pedí el día libre en el trabajo y no vino nadie ni llamaron. En la app sigue poniendo *"Cita confirmada"*.

¿Cómo pido una cita nueva? ¿Me compensáis de alguna forma?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Lo sentimos mucho, Kike. El técnico tuvo un problema con la ruta y la cita no se reprogramó como debía. Ya tienes nueva cita el **jueves de 8:00 a 11:00** (primera franja) y te hemos aplicado un **abono de 20 €** en la próxima factura por la cita fallida.

Si en algún momento necesitas cambiarla, hazlo desde *Mi Ondara → Instalación* hasta 24 horas antes.`,
      },
    ],
  },
  {
    key: 'es-buzon-voz',
    lang: 'es',
    author: 'lucia',
    title: 'Cómo quitar el buzón de voz del móvil',
    tags: ['movil', 'buzon-de-voz', 'llamadas'],
    body: `Cuando no contesto, las llamadas van a un buzón de voz que nunca escucho y la gente me deja mensajes que no veo. Prefiero que simplemente suene hasta que cuelguen. ¿Se puede desactivar?`,
    answers: [
      {
        author: 'jorge',
        accepted: true,
        body: `Sí, marca desde el móvil **##002#** y pulsa llamar: borra todos los desvíos, incluido el del buzón. Te saldrá un mensaje de "desvío desactivado".

Si algún día lo quieres recuperar, en la app *Mi Ondara → Línea → Buzón de voz* se vuelve a activar.`,
      },
      {
        author: 'staff',
        body: `Correcto. Un detalle: con el buzón desactivado dejarás de recibir el SMS de *"Te han llamado"* si tienes el móvil apagado. Ese aviso se activa aparte, en la misma pantalla de la app.`,
      },
    ],
  },
  {
    key: 'es-datos-moviles-apn',
    lang: 'es',
    author: 'marta',
    title: 'Los datos móviles no funcionan después de poner la SIM nueva',
    tags: ['movil', 'datos', 'apn'],
    body: `Me acabo de pasar a Ondara. Puedo llamar y recibir SMS, pero los datos no van: arriba sale **4G** pero ninguna app carga y el navegador dice que no hay conexión.

El móvil es un Xiaomi que traje de mi anterior compañía.`,
    answers: [
      {
        author: 'kike',
        accepted: true,
        body: `Casi seguro es el **APN**. Los móviles que vienen de otra compañía a veces guardan la configuración antigua:

1. *Ajustes → Tarjetas SIM y redes móviles → Nombres de punto de acceso*.
2. Crea uno nuevo: nombre \`Ondara\`, APN \`internet.ondara.es\`, el resto en blanco.
3. Guárdalo, selecciónalo y reinicia.

Con eso a mí me funcionó al momento.`,
      },
      {
        author: 'moderator',
        body: `Y si no aparece la opción de añadir APN, es que el móvil está bloqueado por el operador anterior: tendrás que pedirles el código de liberación.`,
      },
    ],
  },
  {
    key: 'es-decodificador-pantalla-negra',
    lang: 'es',
    author: 'jorge',
    title: 'El decodificador de la tele se queda en pantalla negra al encenderlo',
    tags: ['television', 'decodificador'],
    body: `Desde la tormenta del domingo, al encender el deco de Ondara TV la tele se queda en negro con el logo de la marca y no pasa de ahí. La luz del aparato está en naranja fijo.

Internet funciona bien en casa.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `La luz naranja fija indica que el decodificador no termina de arrancar. Prueba un **reinicio de fábrica**:

1. Desenchúfalo de la corriente 30 segundos.
2. Vuelve a enchufarlo manteniendo pulsado el botón de atrás del aparato hasta que la luz parpadee en azul.
3. Espera unos 10 minutos: se descargará el software de nuevo.

Si sigue igual, es probable que la subida de tensión lo dañara; te enviamos uno nuevo sin coste y el técnico se lleva el viejo.`,
      },
    ],
  },
  {
    key: 'es-sim-bloqueada-puk',
    lang: 'es',
    author: 'lucia',
    title: 'He metido mal el PIN tres veces y ahora me pide el PUK',
    tags: ['sim', 'movil', 'seguridad'],
    body: `Mi hijo estuvo jugando con el móvil y metió el PIN mal tres veces. Ahora la pantalla pide un código PUK de 8 cifras. No tengo la tarjeta de plástico donde venía la SIM.

¿Dónde encuentro el PUK? Me da miedo bloquearla del todo.`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `No pruebes números al azar: si fallas el PUK **10 veces** la SIM queda inutilizada y hay que pedir un duplicado.

El PUK lo tienes en *Mi Ondara → Líneas → Ver PIN y PUK* (puedes entrar desde el ordenador o desde otro móvil). También te lo dicen en el chat tras verificar tu identidad.`,
      },
    ],
  },
  {
    key: 'es-llamadas-internacionales',
    lang: 'es',
    author: 'kike',
    title: 'Cuánto cuesta llamar a Marruecos desde el fijo',
    tags: ['llamadas', 'internacional', 'tarifas'],
    body: `Mi familia vive en Marruecos y los llamo casi todas las semanas desde el teléfono fijo. En la última factura me han cobrado 38 euros de llamadas y no entiendo el precio por minuto.

¿Hay algún bono para llamadas internacionales?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Las llamadas a Marruecos están en la **zona 3**: 0,59 €/min a fijos y 0,89 €/min a móviles, más 0,35 € de establecimiento.

Te conviene el **Bono Internacional 300**: 300 minutos al mes a fijos y móviles de Marruecos, Argelia, Colombia y otros 40 países por 6 €/mes. Lo activas en *Mi Ondara → Extras*, y no tiene permanencia.`,
      },
      {
        author: 'marta',
        body: `Yo llamo a Colombia con ese bono y me compensa muchísimo. Ojo, las llamadas desde el móvil van aparte: el bono es solo para la línea donde lo actives.`,
      },
    ],
  },
  {
    key: 'es-abrir-puertos-nat',
    lang: 'es',
    author: 'kike',
    title: 'NAT estricto en la PlayStation: cómo abrir puertos en el router',
    tags: ['router', 'puertos', 'videojuegos'],
    body: `Juego online con la **PS5** y me sale NAT tipo 3 (estricto), no puedo unirme a partidas con amigos. He leído que hay que abrir puertos en el router, pero en el Ondara Box 6 no encuentro dónde.`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `En el Ondara Box 6 está en **Red → NAT/PAT**:

1. Asigna a la consola una IP fija en *Red → DHCP → Reservas* (por ejemplo 192.168.1.50).
2. En *NAT/PAT* añade estas reglas hacia esa IP: TCP 3478-3480 y UDP 3074, 3478-3479.
3. Reinicia la consola y vuelve a probar la conexión.

También puedes activar **UPnP** en *Red → Avanzado*, que hace lo mismo automáticamente.`,
      },
      {
        author: 'staff',
        body: `Si tienes **CG-NAT** (lo verás porque la IP WAN del router empieza por 100.64), abrir puertos no sirve. Pídenos en el chat que te saquemos del CG-NAT; es gratuito.`,
      },
    ],
  },
  {
    key: 'es-domiciliacion-cuenta',
    lang: 'es',
    author: 'marta',
    title: 'Cambiar la cuenta bancaria donde se pasan los recibos',
    tags: ['facturacion', 'pagos', 'banco'],
    body: `He cambiado de banco y quiero que a partir de ahora los recibos se carguen en la cuenta nueva. ¿Se puede hacer online o hay que enviar algún papel firmado? No quiero que me devuelvan ninguno mientras cierro la cuenta antigua.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Se hace online en *Mi Ondara → Facturas → Forma de pago → Cambiar IBAN*. Te pediremos confirmar con un código por SMS; no hace falta firmar nada más porque la orden SEPA se firma digitalmente.

Si el cambio lo haces **antes del día 25**, el siguiente recibo ya irá a la cuenta nueva. Si no, espera un mes para cerrar la antigua.`,
      },
    ],
  },
  {
    key: 'es-sin-internet-luz-roja',
    lang: 'es',
    author: 'jorge',
    title: 'Sin internet y la luz LOS del router parpadea en rojo',
    tags: ['averias', 'fibra', 'router'],
    body: `Esta mañana me he quedado sin internet. El router tiene la luz **LOS en rojo** parpadeando y la de Internet apagada. He apagado y encendido el router y sigue igual.

¿Es una avería de la zona o es mi equipo?`,
    answers: [
      {
        author: 'kike',
        body: `LOS en rojo significa que no llega señal de luz por la fibra. Revisa que el cable verde fino esté bien enchufado en la roseta y que no esté doblado; si se ha pisado o doblado mucho se rompe por dentro.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Como dice Kike, la luz LOS roja indica **pérdida de señal óptica**. Hay una avería masiva en tu zona desde las 7:30 por un corte de cable en obras; el equipo de campo estima la reparación hoy antes de las 18:00.

Puedes consultar averías de tu zona en *Mi Ondara → Estado del servicio*. Si mañana sigue en rojo, abriremos una visita técnica.`,
      },
    ],
  },
  {
    key: 'es-consultar-gigas',
    lang: 'es',
    author: 'lucia',
    title: '¿Dónde veo cuántos gigas me quedan este mes?',
    tags: ['movil', 'datos', 'consumo'],
    body: `Siempre me quedo sin datos antes de fin de mes y no sé cuánto llevo gastado. ¿Hay alguna forma de ver el consumo de datos sin esperar a la factura? También me vendría bien que me avisen antes de que se acaben.`,
    answers: [
      {
        author: 'jorge',
        accepted: true,
        body: `En la app **Mi Ondara**, en la pantalla principal, tienes una barra con los GB consumidos y los que te quedan. Se actualiza cada hora más o menos.

Sin app, manda un SMS gratis con la palabra **CONSUMO** al 22770 y te contestan con el saldo de datos.`,
      },
      {
        author: 'staff',
        body: `Y para los avisos: en *Mi Ondara → Línea → Alertas de consumo* puedes activar SMS al 50 %, 80 % y 100 % del bono de datos.`,
      },
    ],
  },
  {
    key: 'es-robo-movil-duplicado-sim',
    lang: 'es',
    author: 'marta',
    title: 'Me han robado el móvil: cómo bloqueo la línea y pido otra SIM',
    tags: ['sim', 'robo', 'movil'],
    body: `Me acaban de robar el móvil en el metro. Tengo miedo de que usen la línea o vean mis mensajes. ¿Qué tengo que hacer para bloquearla? ¿Puedo recuperar el mismo número en una SIM nueva?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Lo primero es **bloquear la línea**: llama al 1717 desde cualquier teléfono (opción 3) o entra en *Mi Ondara → Líneas → Bloquear por robo*. El bloqueo es inmediato y gratuito.

Después:

1. Pide un **duplicado de la SIM** con el mismo número en una tienda (con tu DNI) o online; el envío tarda 24–48 h.
2. Denuncia el robo en la policía y anota el **IMEI** (está en la caja del móvil) para bloquear también el terminal.
3. Cambia las contraseñas de tus apps, sobre todo las que usan SMS como verificación.`,
      },
    ],
  },
  {
    key: 'es-repetidor-mesh',
    lang: 'es',
    author: 'jorge',
    title: '¿Repetidor wifi o sistema mesh para una casa de dos plantas?',
    tags: ['wifi', 'cobertura', 'mesh'],
    body: `El router está en el salón de la planta baja y arriba, en los dormitorios, la cobertura es malísima. He visto repetidores por 20 euros y sistemas mesh por 150.

¿Merece la pena gastarse más? ¿Ondara alquila alguno?`,
    answers: [
      {
        author: 'kike',
        body: `Para dos plantas te recomiendo **mesh** sin dudarlo:

- Un repetidor barato crea otra red y divide la velocidad a la mitad; además el móvil se queda pegado a la señal débil.
- Un mesh usa una sola red y te pasa de un nodo a otro sin cortes.

Si puedes pasar un cable de red entre plantas (o usar PLC), conecta el segundo nodo por cable: la diferencia es enorme.`,
      },
      {
        author: 'staff',
        body: `Ondara ofrece el **Amplificador Wi-Fi 6 Mesh** por 3 €/mes, compatible con el Ondara Box 6 y configurable desde la app. Lo pides en *Mi Ondara → Extras*.`,
      },
    ],
  },
  {
    key: 'es-llamadas-comerciales-spam',
    lang: 'es',
    author: 'lucia',
    title: 'Recibo llamadas comerciales a todas horas, ¿puedo bloquearlas?',
    tags: ['llamadas', 'spam', 'privacidad'],
    body: `Cada día me llaman 4 o 5 veces números desconocidos ofreciendo luz, gas y seguros. Cuelgo y al rato llaman de otro número. ¿Tiene Ondara algún filtro de llamadas no deseadas?`,
    answers: [
      {
        author: 'staff',
        body: `Sí: activa **Filtro Antispam** en *Mi Ondara → Línea → Llamadas → Bloquear llamadas comerciales*. Es gratuito y bloquea los números que los usuarios marcan como spam.

Además, apúntate a la **Lista Robinson** (listarobinson.es): las empresas no pueden llamarte con fines comerciales si no eres cliente suyo. Y recuerda que desde 2023 la ley prohíbe las llamadas comerciales no consentidas.`,
      },
      {
        author: 'marta',
        body: `Yo además uso la función del móvil de silenciar números desconocidos. Desde que activé el filtro de Ondara han bajado muchísimo.`,
      },
    ],
  },
  {
    key: 'es-traslado-mudanza',
    lang: 'es',
    author: 'kike',
    title: 'Me mudo de piso: ¿puedo llevarme la fibra a la nueva dirección?',
    tags: ['traslados', 'fibra', 'instalacion'],
    body: `El mes que viene me cambio de casa dentro de la misma ciudad. ¿Se puede trasladar el servicio de fibra sin darme de baja? ¿Cuánto cuesta y cuánto tiempo estaré sin internet?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Sí, se llama **traslado de domicilio**. Pídelo con al menos 15 días de antelación en *Mi Ondara → Mi paquete → Trasladar servicio*.

- Si la nueva dirección tiene cobertura de fibra Ondara, el traslado es **gratuito** para clientes con más de 12 meses; si no, cuesta 49 €.
- Mantienes la permanencia y el precio que tenías.
- Lleva el router a la casa nueva; el técnico lo configura el día de la instalación. Normalmente hay 1 o 2 días sin servicio.`,
      },
    ],
  },
  {
    key: 'es-subida-precio-cuota',
    lang: 'es',
    author: 'marta',
    title: 'Me han subido la cuota mensual sin avisarme',
    tags: ['facturacion', 'tarifas', 'precios'],
    body: `La factura de este mes ha pasado de 52 a 57 euros y no he cambiado nada. Nadie me avisó de ninguna subida. ¿Es legal? ¿Puedo irme sin pagar la permanencia si me suben el precio?`,
    answers: [
      {
        author: 'moderator',
        body: `Revisa el correo (y la carpeta de spam): las subidas tienen que comunicarse con un mes de antelación y normalmente llegan por email y en la propia factura anterior.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Hola, Marta. La actualización de precios de este año se comunicó el 1 de marzo por correo y SMS: **+5 € en las tarifas de fibra y móvil** contratadas antes de 2023.

Cuando una compañía modifica el precio, tienes derecho a **rescindir el contrato sin penalización** durante el mes siguiente a la comunicación. Si prefieres quedarte, revisamos tu caso para ofrecerte una tarifa actual equivalente más barata.`,
      },
    ],
  },
  {
    key: 'es-ip-fija',
    lang: 'es',
    author: 'kike',
    title: '¿Se puede contratar una IP fija para la fibra de casa?',
    tags: ['fibra', 'ip', 'router'],
    body: `Tengo un pequeño servidor en casa (NAS y cámaras) y cada vez que se reinicia el router me cambia la IP pública. ¿Ofrecéis IP estática para particulares? Ahora mismo uso DuckDNS como apaño.`,
    answers: [
      {
        author: 'staff',
        body: `Sí, la **IP fija** está disponible como extra por 5 €/mes en todas las tarifas de fibra, también para particulares. Se activa desde *Mi Ondara → Extras → IP fija* y se aplica en menos de 2 horas tras reiniciar el router.

Incluye la salida del CG-NAT, así que podrás abrir puertos sin problemas.`,
      },
      {
        author: 'jorge',
        body: `Si solo lo quieres para el NAS, DuckDNS o el DDNS del propio router funcionan bien y son gratis. La IP fija compensa si tienes servicios que necesitan una IP en lista blanca.`,
      },
    ],
  },
];

const ENGLISH: SupportTopic[] = [
  {
    key: 'en-cancel-subscription',
    lang: 'en',
    author: 'anna',
    title: 'How do I cancel my subscription before it renews?',
    tags: ['cancellation', 'account', 'billing'],
    body: `My Ondara TV add-on renews automatically on the 15th and I don't want to be charged again. I looked through the account settings but I only see options to *upgrade*, not to stop it.

Is there a way to end it online, or do I have to phone someone?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Hi Anna, you can do it online: **My Ondara → Services → Ondara TV → Manage → Cancel add-on**. You'll get a confirmation email straight away.

- Cancel at least **24 hours before** the renewal date to avoid the next charge.
- You keep access until the end of the period you've already paid for.
- Add-ons have no minimum term, so there's no cancellation fee.`,
      },
      {
        author: 'tom',
        body: `The cancel button is hidden at the bottom of the *Manage* page, under the FAQ. Took me ages to find it too.`,
      },
    ],
  },
  {
    key: 'en-invoice-vat',
    lang: 'en',
    author: 'priya',
    title: 'My bill does not show the VAT amount separately',
    tags: ['billing', 'invoices', 'business'],
    body: `I expense my broadband through my limited company and my accountant needs a proper **VAT invoice**. The monthly PDF only shows the total, with no VAT number or net amount.

Where can I download a full invoice with the tax broken down?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `The monthly PDF is a simplified bill. For a full VAT invoice:

1. Go to **My Ondara → Billing → Invoices**.
2. Add your company name, address and VAT registration number under *Billing details*.
3. Use **Download VAT invoice** next to each month.

The VAT invoice shows the net amount, the VAT rate (20 %) and our VAT number. Past invoices are regenerated with your company details once you save them.`,
      },
    ],
  },
  {
    key: 'en-2fa-lost-phone',
    lang: 'en',
    author: 'tom',
    title: 'Locked out after losing the phone I used for two-factor authentication',
    tags: ['account', 'security', '2fa'],
    body: `I turned on two-factor authentication with an authenticator app, and last week my phone was stolen. Now I can't sign in to My Ondara because it asks for the 6-digit code.

I didn't save the backup codes. How do I get back into my account?`,
    answers: [
      {
        author: 'moderator',
        body: `If you still have your Ondara SIM (or a replacement), choose *"Use another method"* on the code screen: you can get a one-time code by text message instead of the app.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Sorry to hear about your phone, Tom. Since you don't have the backup codes, we need to **reset 2FA** after checking your identity:

1. Start a chat from the sign-in page (*Can't sign in?*).
2. We'll ask for your account number, date of birth and the last payment amount.
3. Once verified, we disable two-factor authentication and you set it up again on the new phone.

This time, store the **backup codes** somewhere safe (a password manager is ideal).`,
      },
    ],
  },
  {
    key: 'en-esim-new-phone',
    lang: 'en',
    author: 'sam',
    title: 'Moving my eSIM to a new phone',
    tags: ['esim', 'mobile', 'devices'],
    body: `I've just bought a Pixel 8 and want to move my mobile line from my old iPhone. The line is an eSIM, so there's no card to swap.

Do I need a new QR code? Will I lose my number or my data allowance during the switch?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `You keep your number and allowance. Because you're going from iPhone to Android, the line can't be transferred directly between the phones, so:

1. In **My Ondara → Lines → eSIM**, choose *Transfer to a new device*.
2. We email you a new **QR code** (valid for 24 hours, single use).
3. On the Pixel: *Settings → Network & internet → SIMs → Download a SIM instead*, then scan it while on **Wi-Fi**.

Your old eSIM stops working as soon as the new one activates, usually within 10 minutes.`,
      },
      {
        author: 'anna',
        body: `Worked for me going between two Samsungs. Don't delete the old eSIM until the new one shows signal, just in case.`,
      },
    ],
  },
  {
    key: 'en-roaming-usa',
    lang: 'en',
    author: 'priya',
    title: 'Will I be charged for using data in the United States?',
    tags: ['roaming', 'mobile', 'travel'],
    body: `I'm going to New York for a conference next month. My plan is **Ondara Unlimited**. Is data included abroad or will I come back to a huge bill? I mostly need maps and email.`,
    answers: [
      {
        author: 'staff',
        body: `The USA is in **Roaming Zone 2**, which is not included in Ondara Unlimited. Without an add-on, data costs £6 per MB, so please don't use it without one!

Add the **Travel Pass** (£5 per day, only charged on days you use your phone abroad) in *My Ondara → Add-ons → Roaming*. It lets you use your UK allowance, including data, in 80+ destinations.

We also cap roaming spend at £45 a month unless you raise the limit.`,
      },
      {
        author: 'sam',
        body: `Travel Pass is fine for a few days. For longer trips a local prepaid eSIM is much cheaper.`,
      },
    ],
  },
  {
    key: 'en-router-reboots',
    lang: 'en',
    author: 'sam',
    title: 'Router restarts itself every night around 3am',
    tags: ['router', 'hardware', 'broadband'],
    body: `My Ondara Box 6 reboots every night at about 3:00. I know because my home server loses connection and the uptime resets. During the day it's rock solid.

Is this a fault? Can I stop it from happening?`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `That's the **scheduled maintenance restart**. The router checks for firmware updates overnight and restarts if one is pending, and on some firmware versions it restarts every night regardless.

You can move it in *Settings → System → Maintenance window* (pick a time between midnight and 6am). It can't be disabled completely, but it only happens when an update is actually installed since firmware 6.2.10.`,
      },
      {
        author: 'kike',
        body: `Same here. Updating to the latest firmware stopped the daily reboots: now it only restarts once every few weeks.`,
      },
    ],
  },
  {
    key: 'en-5ghz-network-missing',
    lang: 'en',
    author: 'tom',
    title: "Laptop can't see the 5 GHz Wi-Fi network",
    tags: ['wifi', 'router', 'laptop'],
    body: `My phone sees two networks, *Ondara-4F2A* and *Ondara-4F2A-5G*, but my laptop only shows the first one. The 2.4 GHz one is slow. The laptop is a few years old (Intel wireless card).

How do I get it onto the 5 GHz band?`,
    answers: [
      {
        author: 'kike',
        accepted: true,
        body: `Most likely the router is using a **DFS channel** (52–144) that older wireless cards don't support.

- In the router settings, *Wi-Fi → 5 GHz → Channel*, pick **36, 40, 44 or 48**.
- Update the laptop's Wi-Fi driver from Intel's site.
- Check in Device Manager that the adapter supports 802.11ac/ax at all; some cheap cards are 2.4 GHz only.`,
      },
    ],
  },
  {
    key: 'en-refund-double-charge',
    lang: 'en',
    author: 'anna',
    title: 'I was charged twice for one order, how do I get my money back?',
    tags: ['refunds', 'orders', 'payments'],
    body: `I bought a phone case and a charger from the online shop. The checkout page froze, I pressed *Pay* again and now my card shows **two payments of £34.98**. I only received one order confirmation email.

What's the fastest way to get a refund for the second payment?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Hi Anna. When checkout times out, the second payment is usually just a **pending authorisation** that your bank releases on its own within 3–5 working days; it never becomes a real charge.

I've checked and in your case both payments were captured, so I've issued a **refund of £34.98** today. Refunds take 3–5 working days to reach your card. You'll get an email with the refund reference.`,
      },
      {
        author: 'priya',
        body: `If it doesn't show up after a week, your bank can trace it with the refund reference (the ARN). Mine took 6 days.`,
      },
    ],
  },
  {
    key: 'en-order-tracking-not-working',
    lang: 'en',
    author: 'priya',
    title: 'Order marked as dispatched but the tracking link says not found',
    tags: ['orders', 'delivery', 'shipping'],
    body: `My new router was marked as **dispatched** three days ago and I got an email with a tracking number, but the courier's website says *"Parcel not found"*. Has it actually been sent? When will it arrive?`,
    answers: [
      {
        author: 'moderator',
        body: `The courier usually only activates the tracking number once they scan the parcel at their depot, which can be 24–48 hours after Ondara marks it dispatched.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Hi Priya, your parcel left our warehouse on Monday but the courier's first scan was delayed. It's now in their system and **out for delivery tomorrow**. The same tracking number should work from tonight.

If you won't be home, you can redirect it to a parcel locker from the courier's link.`,
      },
    ],
  },
  {
    key: 'en-fibre-slow-evenings',
    lang: 'en',
    author: 'sam',
    title: 'Internet gets really slow every evening from 8 to 11pm',
    tags: ['broadband', 'speed', 'fibre'],
    body: `During the day I get around 480 Mbps on my 500 Mbps fibre plan. In the evening it drops to 30–50 Mbps, and streaming buffers. It's like this every single night, wired or wireless.

Is this congestion? What can be done about it?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `A drop like that at peak time, on a wired connection too, points to **congestion** on the network serving your street, not a fault in your home.

I've raised it with our network team (ticket NET-48213): the cabinet serving your area is scheduled for a **capacity upgrade** next week. Until then, if the speed falls below the minimum guaranteed speed in your contract (250 Mbps), you're entitled to leave without a fee, and we'll credit a month's rental once the work is done.`,
      },
      {
        author: 'tom',
        body: `Run a speed test with a cable at 9pm a few nights in a row and keep screenshots. It helps a lot when you complain.`,
      },
    ],
  },
  {
    key: 'en-port-number',
    lang: 'en',
    author: 'tom',
    title: 'Can I keep my old mobile number when I switch to Ondara?',
    tags: ['mobile', 'switching', 'porting'],
    body: `I'm with another network at the moment and my contract ends next month. I'd like to join Ondara but I've had my number for 15 years and really don't want to lose it.

How does transferring a number work, and how long does it take?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Yes, you can keep it. Text **PAC** to 65075 from your current phone to get your Porting Authorisation Code (it's free and instant; valid for 30 days).

Then give us the PAC when you order, or in *My Ondara → Lines → Transfer my number* if you've already joined. The number moves over on the **next working day**; your old contract closes automatically, so you don't need to cancel it separately.`,
      },
      {
        author: 'sam',
        body: `Did this in March. Had no signal for about an hour in the morning and then everything just worked on the new SIM.`,
      },
    ],
  },
  {
    key: 'en-password-reset-email',
    lang: 'en',
    author: 'anna',
    title: 'Password reset email never arrives',
    tags: ['account', 'login', 'email'],
    body: `I forgot my My Ondara password and clicked *Forgot password*. It says an email was sent, but nothing arrives, not even in spam. I've tried four times over two days.`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `A few things to check:

- The email goes to the **contact email on the account**, which might be an old address you signed up with.
- Corporate email filters often block it; try adding **no-reply@ondara.example** to your contacts.
- Reset links expire after **1 hour** and only the latest one works.

If none of that helps, the chat team can update your contact email after verifying your identity, and then you can reset the password.`,
      },
    ],
  },
  {
    key: 'en-downgrade-plan',
    lang: 'en',
    author: 'priya',
    title: 'Is it possible to switch to a cheaper plan in the middle of my contract?',
    tags: ['plans', 'contract', 'mobile'],
    body: `I'm 8 months into a 24-month mobile contract with 100 GB of data, but I barely use 10 GB a month. Can I move to a smaller plan without paying an early exit fee?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Yes. You can **downgrade once** during a contract without a fee, as long as the new plan is at least £10 a month; just note the change applies from your next bill date.

Go to *My Ondara → Lines → Change plan* and you'll see the eligible plans with their prices. If your phone is on a separate device plan, that part doesn't change.`,
      },
      {
        author: 'tom',
        body: `I dropped from 100 GB to 15 GB and it saved me £12 a month. No fee at all.`,
      },
    ],
  },
  {
    key: 'en-data-usage-alerts',
    lang: 'en',
    author: 'sam',
    title: 'Getting a warning before my data allowance runs out',
    tags: ['mobile', 'data', 'alerts'],
    body: `Last month I went over my allowance without noticing and paid extra for data. Is there a way to get a text message when I'm close to the limit? Or to block data once it's used up?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `In **My Ondara → Lines → Usage alerts** you can switch on texts at 50 %, 80 % and 100 % of your data.

To avoid extra charges altogether, turn on **Spend cap = £0** on the same page: once your allowance is used up, data stops until your next bill date (calls and texts keep working).`,
      },
    ],
  },
  {
    key: 'en-voicemail-pin',
    lang: 'en',
    author: 'tom',
    title: "Forgot the PIN for my voicemail and can't listen to messages",
    tags: ['voicemail', 'mobile', 'calls'],
    body: `When I call voicemail from another phone it asks for a 4-digit PIN. I set it years ago and have no idea what it is. How do I reset it?`,
    answers: [
      {
        author: 'anna',
        body: `From your own phone you don't need the PIN at all: hold down 1 on the keypad. The PIN is only asked for when you call in from another number.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `Anna's right about calling from your own phone. To reset the PIN, go to *My Ondara → Lines → Voicemail → Reset PIN*; we text you a temporary PIN, and voicemail will ask you to choose a new one the next time you call **1571**.`,
      },
    ],
  },
  {
    key: 'en-bridge-mode-mesh',
    lang: 'en',
    author: 'sam',
    title: 'Using my own mesh system: how to put the Ondara router in bridge mode',
    tags: ['router', 'mesh', 'wifi'],
    body: `I have an Eero mesh system and would like it to handle Wi-Fi and DHCP, with the Ondara Box 6 acting only as a modem. Right now I have double NAT and two Wi-Fi networks.

Does the Ondara router support bridge/modem mode?`,
    answers: [
      {
        author: 'kike',
        accepted: true,
        body: `Yes, since firmware 6.2 the Box 6 has a **modem mode**:

1. Plug the Eero into **LAN 1** (it has to be that port).
2. *Settings → Internet → Operating mode → Modem (bridge)*.
3. The router restarts with Wi-Fi and DHCP turned off and the Eero gets the public IP.

To get back into the router afterwards, connect a laptop directly to LAN 4 and go to 192.168.100.1.`,
      },
      {
        author: 'staff',
        body: `Note that in modem mode the Ondara TV box must be plugged into the mesh, not the router, and our remote Wi-Fi diagnostics no longer work.`,
      },
    ],
  },
  {
    key: 'en-international-calls-india',
    lang: 'en',
    author: 'priya',
    title: 'What are the rates for calling India from my mobile?',
    tags: ['calls', 'international', 'pricing'],
    body: `I call my parents in India a few times a week, usually for 30–40 minutes. My last bill had £27 of international calls on it. Is there a cheaper way to do this with Ondara?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Standard rate to India is **£1.20 per minute** from a mobile plan, so those calls add up quickly.

Add the **International Saver** add-on (£5 a month): it gives you 400 minutes to landlines and mobiles in India, Pakistan, Bangladesh and 50 other countries. You'll find it in *My Ondara → Add-ons*, and you can cancel it any time.`,
      },
      {
        author: 'anna',
        body: `Or use Wi-Fi apps like WhatsApp, which are free over your broadband. The add-on is handy when your parents don't have smartphones though.`,
      },
    ],
  },
  {
    key: 'en-payment-failed-suspended',
    lang: 'en',
    author: 'tom',
    title: 'Direct debit failed and now my broadband has been suspended',
    tags: ['billing', 'payments', 'suspension'],
    body: `My bank card expired and the monthly payment didn't go through. I didn't see the emails and today the internet stopped working completely, the router shows a page saying my account is **suspended**.

How quickly can I get it back on if I pay now?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Pay the outstanding balance in **My Ondara → Billing → Pay now** (you can still sign in while suspended). Service is restored automatically **within 1 hour** of the payment.

Then update your payment details so it doesn't happen again. A late payment fee of £5 applies, but we waive it once if you ask in chat.`,
      },
    ],
  },
  {
    key: 'en-change-billing-address',
    lang: 'en',
    author: 'anna',
    title: 'How to update the billing address on my account',
    tags: ['account', 'billing'],
    body: `My bank now refuses payments because the billing address on my Ondara account doesn't match my card. I moved flat last year but the service address stayed the same (I moved the service too). Where can I change it?`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `Go to *My Ondara → Profile → Addresses*. There are two separate fields:

- **Billing address**, which is the one your bank checks and the one printed on invoices;
- **Installation address**, which can't be edited online because it's where the line physically is.

Change the billing one and save; it takes effect on the next payment attempt.`,
      },
    ],
  },
  {
    key: 'en-tv-device-limit',
    lang: 'en',
    author: 'sam',
    title: "Ondara TV app on my smart TV says 'device limit reached'",
    tags: ['tv', 'streaming', 'devices'],
    body: `I installed the Ondara TV app on a new Samsung TV and after signing in it says **"You have reached the maximum number of devices"**. We only use it on two TVs and a tablet.`,
    answers: [
      {
        author: 'staff',
        body: `Your package allows **5 registered devices**, and old phones or TVs you no longer use still count.

Go to *My Ondara → TV → Devices*, remove the ones you don't recognise or no longer use, then sign in again on the new TV. You can remove up to 3 devices per month.`,
      },
      {
        author: 'tom',
        body: `It counts every browser you've ever watched in too. I had 3 old laptops on the list.`,
      },
    ],
  },
  {
    key: 'en-sim-not-detected',
    lang: 'en',
    author: 'priya',
    title: "New SIM card shows 'No SIM' in my phone",
    tags: ['sim', 'mobile', 'activation'],
    body: `I received my Ondara SIM yesterday, popped it in, and the phone says **No SIM card** (Android, Samsung A54). My old SIM from the previous network works in the same phone.`,
    answers: [
      {
        author: 'kike',
        body: `Check you used the right size: the SIM comes in a triple-cut card and sometimes the nano piece still has the micro frame around it. Also make sure it's in slot 1.`,
      },
      {
        author: 'staff',
        accepted: true,
        body: `New SIMs have to be **activated** before the phone recognises them on the network: go to *ondara.example/activate* and enter the 19-digit number printed on the SIM card. Activation takes up to 2 hours.

If it still says "No SIM" after that, restart the phone; if it persists, the SIM may be faulty and we'll send a replacement free of charge.`,
      },
    ],
  },
  {
    key: 'en-moving-house-broadband',
    lang: 'en',
    author: 'tom',
    title: 'Moving home next month, can I take my broadband with me?',
    tags: ['broadband', 'moving', 'contract'],
    body: `We're moving to a new house across town in five weeks. I'm still in contract for another year. Do I have to pay a cancellation fee, or can the service move with me? Ideally I'd like internet working on the day we move in.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `You can move your broadband with you without a cancellation fee. Tell us at least **2 weeks** before the move in *My Ondara → Moving home*:

- We check coverage at the new address (full fibre is available in most of the city).
- You pick an activation date; if an engineer is needed, we'll book the visit.
- Your contract and price stay the same. A £30 moving fee applies if an engineer visit is required.

If the new address can't get Ondara broadband, you can leave without an early termination charge.`,
      },
    ],
  },
  {
    key: 'en-late-payment-fee',
    lang: 'en',
    author: 'sam',
    title: 'Why is there a £5 late payment charge on my bill?',
    tags: ['billing', 'fees'],
    body: `My latest bill has a line *"Late payment charge £5.00"*. I pay by direct debit, so I don't understand how a payment could be late. Can this be removed?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `The charge is added when a direct debit is **returned by the bank**; in your case the May payment was rejected with reason "instruction cancelled", probably when you switched bank accounts.

Since it's the first time, I've removed the £5 fee; you'll see a credit on your next bill. Please check that your current bank details are set up in *Billing → Payment method*.`,
      },
    ],
  },
  {
    key: 'en-change-wifi-name-password',
    lang: 'en',
    author: 'anna',
    title: 'How do I change the name and password of my Wi-Fi network?',
    tags: ['wifi', 'router', 'security'],
    body: `The Wi-Fi network is still called *Ondara-7C1B* with the long random password from the sticker on the back of the router. I'd like to set a name and key that guests can actually type.`,
    answers: [
      {
        author: 'moderator',
        accepted: true,
        body: `You can do it in the app or in the browser:

1. Open **192.168.1.1** while connected to your Wi-Fi, or *Ondara app → My router*.
2. Sign in with the **admin password** from the sticker (it's different from the Wi-Fi key).
3. *Wi-Fi → Basic settings*: change the **network name (SSID)** and the **password**, then save.

Everything connected will drop off and has to reconnect with the new details. For guests, consider turning on the separate **guest network** instead of sharing your main password.`,
      },
    ],
  },
  {
    key: 'en-phishing-email',
    lang: 'en',
    author: 'priya',
    title: 'Suspicious email asking me to confirm my card details, is it from Ondara?',
    tags: ['security', 'scam', 'email'],
    body: `I got an email saying *"Your Ondara payment failed, update your card within 24 hours or your service will be suspended"*. The link goes to a site called ondara-billing-help.com. My payments look fine in the app.

Is this genuine? I haven't clicked anything.`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `That is a **phishing** email, not from us. Ondara only ever sends links to *ondara.example*, and we never ask for card details by email or text.

- Don't click the link or reply.
- Forward it to **phishing@ondara.example**, then delete it.
- If you did enter details anywhere, call your bank straight away and change your My Ondara password.`,
      },
      {
        author: 'sam',
        body: `Got the same one. Tip: hover over the link before clicking, it shows the real address.`,
      },
    ],
  },
  {
    key: 'en-parental-controls',
    lang: 'en',
    author: 'tom',
    title: 'Setting up parental controls on the home Wi-Fi for the kids',
    tags: ['wifi', 'parental-controls', 'router'],
    body: `My kids (9 and 12) have tablets and I'd like to block adult sites and turn their internet off at bedtime. Can the Ondara router do this, or do I need separate software?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `The router can do both, free of charge:

- **Safe Browsing** (*Ondara app → Family → Content filter*) blocks adult, gambling and malware sites for the whole home, or for chosen devices.
- **Schedules** (*Family → Profiles*): create a profile per child, add their tablets and set bedtime hours when their internet pauses.

The kids' devices must be connected to the home Wi-Fi; the filter doesn't apply on mobile data.`,
      },
      {
        author: 'anna',
        body: `We use the schedules and it works well. Remember that kids learn quickly to turn off Wi-Fi and use mobile data, so set limits on their phone plans too.`,
      },
    ],
  },
  {
    key: 'en-some-websites-dont-load',
    lang: 'en',
    author: 'sam',
    title: 'Some websites will not load but others work fine',
    tags: ['broadband', 'dns', 'troubleshooting'],
    body: `Since yesterday, a few sites (my bank and a couple of news sites) time out on every device at home, but Google, YouTube and Netflix work fine. On mobile data those same sites load.

Is Ondara blocking them?`,
    answers: [
      {
        author: 'kike',
        body: `That pattern usually means a **DNS** problem. Try changing the DNS servers:

- On the router: *Settings → Internet → DNS* → set **1.1.1.1** and **8.8.8.8**.
- Or on a single computer, in the network adapter settings.

Then flush the cache (*ipconfig /flushdns* on Windows) and try again.`,
      },
      {
        author: 'staff',
        body: `Thanks Kike. We did have a DNS issue in the north-west region yesterday afternoon; it's resolved now. Our DNS servers are back to normal, but custom DNS works fine too.`,
      },
    ],
  },
  {
    key: 'en-early-termination-fee',
    lang: 'en',
    author: 'priya',
    title: 'How much does it cost to leave my broadband contract early?',
    tags: ['contract', 'cancellation', 'fees'],
    body: `I'm 10 months into an 18-month broadband contract and found a better deal elsewhere. If I leave now, how much would the early exit fee be? Is there any way to avoid it?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `The early termination charge is the remaining monthly payments **minus the VAT and the costs we save** (roughly 80 % of what's left). For 8 months at £35, that's about £224; you'll see the exact amount in *My Ondara → Contract → Leaving early*.

You can leave **without a fee** if we've raised your price beyond what the contract allows, if your speed stays below the guaranteed minimum, or if you move to an address we can't serve.`,
      },
    ],
  },
  {
    key: 'en-hotspot-tethering',
    lang: 'en',
    author: 'tom',
    title: "Personal hotspot doesn't work on my plan",
    tags: ['mobile', 'hotspot', 'data'],
    body: `When I turn on the hotspot on my iPhone, the laptop connects to it but has no internet. The phone itself browses fine on 5G. Is tethering blocked on Ondara plans?`,
    answers: [
      {
        author: 'moderator',
        body: `Tethering isn't blocked. The most common cause is an old APN profile on the phone; resetting network settings fixes it (you'll need to re-enter Wi-Fi passwords).`,
      },
      {
        author: 'staff',
        body: `Tethering is included in all Ondara plans. On your plan, hotspot usage is **limited to 30 GB** a month; you'd used that amount by the 20th, so the hotspot connection was blocked while the phone kept working.

The limit resets on your bill date. If you use the hotspot a lot, *Unlimited Max* has no tethering limit.`,
      },
    ],
  },
  {
    key: 'en-wifi-calling-android',
    lang: 'en',
    author: 'anna',
    title: 'How do I turn on Wi-Fi Calling on an Android phone?',
    tags: ['mobile', 'wifi-calling', 'android'],
    body: `Mobile signal in my flat is terrible (one bar at most) and calls keep dropping. A friend said I should use Wi-Fi Calling. I have a Samsung Galaxy S23 on Ondara. Where do I switch it on?`,
    answers: [
      {
        author: 'staff',
        accepted: true,
        body: `Wi-Fi Calling is free on all Ondara plans and works on the S23:

1. *Settings → Connections → Wi-Fi Calling* → on.
2. Make sure your **emergency address** is set in My Ondara (required by law for 999 calls over Wi-Fi).
3. Restart the phone. You'll see a Wi-Fi icon next to the signal bars.

Calls go over your broadband automatically when mobile signal is weak, and they cost the same as normal calls.`,
      },
      {
        author: 'sam',
        body: `If the option doesn't appear, update the phone software: the carrier settings for Ondara came in a recent update.`,
      },
    ],
  },
];

/** Every demo thread, Spanish first; a key never changes once published. */
export const SUPPORT_TOPICS: readonly SupportTopic[] = [...SPANISH, ...ENGLISH];
